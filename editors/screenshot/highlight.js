// Browser side of the screenshot page: loads the grammar into vscode-textmate, applies a theme
// with VS Code Dark+ colours, tokenizes the scenario line by line and writes coloured spans.
'use strict';

/** Token colours after VS Code's Dark+ theme, for the scopes the dfs grammar produces. */
const THEME = {
  name: 'dark-plus-subset',
  settings: [
    { settings: { foreground: '#D4D4D4', background: '#1E1E1E' } },
    { scope: 'comment', settings: { foreground: '#6A9955' } },
    { scope: 'string', settings: { foreground: '#CE9178' } },
    { scope: 'constant.numeric', settings: { foreground: '#B5CEA8' } },
    { scope: 'constant.language', settings: { foreground: '#569CD6' } },
    { scope: 'constant.character.escape', settings: { foreground: '#D7BA7D' } },
    { scope: 'keyword.control', settings: { foreground: '#C586C0' } },
    { scope: 'keyword.other', settings: { foreground: '#569CD6' } },
    { scope: 'keyword.operator', settings: { foreground: '#D4D4D4' } },
    { scope: ['support.function', 'entity.name.function'], settings: { foreground: '#DCDCAA' } },
    { scope: 'entity.name.type', settings: { foreground: '#4EC9B0' } },
    { scope: ['variable', 'entity.name.variable'], settings: { foreground: '#9CDCFE' } },
    { scope: 'string.unquoted.default', settings: { foreground: '#CE9178' } },
    { scope: ['punctuation.definition.variable', 'punctuation.section.embedded'], settings: { foreground: '#569CD6' } },
    { scope: 'invalid', settings: { foreground: '#F44747' } },
  ],
};

// Token metadata layout of vscode-textmate (EncodedTokenAttributes, not exported by its bundle).
const FONT_STYLE_MASK = 0b00000000000000000111100000000000;
const FONT_STYLE_OFFSET = 11;
const FOREGROUND_MASK = 0b00000000111111111000000000000000;
const FOREGROUND_OFFSET = 15;

async function fetchOk(url, as) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response[as]();
}

async function main() {
  const tm = window.vscodetextmate;
  await window.onig.loadWASM(await fetchOk('/vendor/onig.wasm', 'arrayBuffer'));
  const grammarText = await fetchOk('/grammar.json', 'text');
  const registry = new tm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new window.onig.OnigScanner(sources),
      createOnigString: (text) => new window.onig.OnigString(text),
    }),
    loadGrammar: async (scope) => (scope === 'source.dfs' ? tm.parseRawGrammar(grammarText, 'dfs.tmLanguage.json') : null),
    theme: THEME,
  });
  const grammar = await registry.loadGrammar('source.dfs');
  const colors = registry.getColorMap();
  const source = await fetchOk('/scenario.dfs', 'text');
  document.getElementById('name').textContent = new URLSearchParams(location.search).get('name') || 'scenario.dfs';

  const code = document.getElementById('code');
  const lines = source.replace(/\n$/, '').split('\n');
  let state = tm.INITIAL;
  lines.forEach((text, index) => {
    const line = document.createElement('span');
    line.className = 'line';
    const gutter = document.createElement('span');
    gutter.className = 'gutter';
    gutter.textContent = String(index + 1);
    line.appendChild(gutter);
    // Binary tokens: pairs of (start offset, metadata); the foreground colour id is in the metadata.
    const result = grammar.tokenizeLine2(text, state);
    const tokens = result.tokens;
    for (let i = 0; i < tokens.length; i += 2) {
      const start = tokens[i];
      const end = i + 2 < tokens.length ? tokens[i + 2] : text.length;
      const metadata = tokens[i + 1];
      const foreground = (metadata & FOREGROUND_MASK) >>> FOREGROUND_OFFSET;
      const fontStyle = (metadata & FONT_STYLE_MASK) >>> FONT_STYLE_OFFSET;
      const span = document.createElement('span');
      span.textContent = text.slice(start, end);
      span.style.color = colors[foreground];
      if (fontStyle & 1) span.style.fontStyle = 'italic';
      if (fontStyle & 2) span.style.fontWeight = 'bold';
      line.appendChild(span);
    }
    state = result.ruleStack;
    code.appendChild(line);
  });
  document.body.dataset.done = 'true';
}

main().catch((error) => {
  document.getElementById('status').textContent = `highlighting failed: ${error.message}`;
});
