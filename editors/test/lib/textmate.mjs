// Loads the dfs TextMate grammar into the real engine VS Code uses (vscode-textmate with the
// Oniguruma regex library compiled to WebAssembly) and tokenizes text into plain token records.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (editors/test/lib → ../../..). */
export const repoRoot = path.resolve(here, '..', '..', '..');
export const grammarPath = path.join(repoRoot, 'editors', 'vscode', 'syntaxes', 'dfs.tmLanguage.json');
export const ROOT_SCOPE = 'source.dfs';

let registryPromise;

function registry() {
  if (!registryPromise) {
    registryPromise = (async () => {
      const require = createRequire(import.meta.url);
      const wasm = await readFile(require.resolve('vscode-oniguruma/release/onig.wasm'));
      await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
      return new textmate.Registry({
        onigLib: Promise.resolve({
          createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
          createOnigString: (text) => new oniguruma.OnigString(text),
        }),
        loadGrammar: async (scopeName) => {
          if (scopeName !== ROOT_SCOPE) return null;
          const text = await readFile(grammarPath, 'utf8');
          return textmate.parseRawGrammar(text, grammarPath);
        },
      });
    })();
  }
  return registryPromise;
}

/** The dfs grammar, loaded once per process. */
export async function loadGrammar() {
  const grammar = await (await registry()).loadGrammar(ROOT_SCOPE);
  if (!grammar) throw new Error(`cannot load the grammar from ${grammarPath}`);
  return grammar;
}

/**
 * Tokenizes `text` line by line, carrying the rule stack across lines as an editor does.
 * Returns `{ line, column, text, scopes }` records (1-based line and column, scopes without the
 * root scope), one per token.
 */
export async function tokenize(text) {
  const grammar = await loadGrammar();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const tokens = [];
  let state = textmate.INITIAL;
  lines.forEach((lineText, index) => {
    const result = grammar.tokenizeLine(lineText, state);
    for (const token of result.tokens) {
      const end = Math.min(token.endIndex, lineText.length);
      if (token.startIndex >= end) continue;
      tokens.push({
        line: index + 1,
        column: token.startIndex + 1,
        text: lineText.slice(token.startIndex, end),
        scopes: token.scopes.filter((s) => s !== ROOT_SCOPE),
      });
    }
    state = result.ruleStack;
  });
  return tokens;
}

/**
 * The golden-file form of a token list: one line per token, `LINE:COL<TAB>"text"<TAB>scopes`.
 * Whitespace that carries no scope is left out; everything else is shown, JSON-quoted.
 */
export function formatTokens(tokens) {
  return tokens
    .filter((t) => t.scopes.length > 0 || t.text.trim() !== '')
    .map((t) => `${t.line}:${t.column}\t${JSON.stringify(t.text)}\t${t.scopes.join(' ') || '-'}`)
    .join('\n')
    .concat('\n');
}
