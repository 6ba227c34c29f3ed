// Reads the language's keywords from grammar/dfs.pest, the single source of truth: every rule
// named `kw_*` of the form `kw_name = @{ "word" ~ !ident_tail }`.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './textmate.mjs';

export const pestPath = path.join(repoRoot, 'grammar', 'dfs.pest');

/** `[{ rule: 'kw_max_rate', word: 'max-rate' }, ...]` in grammar order. */
export function pestKeywords(text = readFileSync(pestPath, 'utf8')) {
  const keywords = [];
  for (const line of text.split('\n')) {
    const rule = line.match(/^\s*(kw_\w+)\s*=/);
    if (!rule) continue;
    const word = line.match(/^\s*kw_\w+\s*=\s*@\{\s*"([^"]+)"\s*~\s*!ident_tail\s*\}\s*$/);
    if (!word) {
      throw new Error(`${pestPath}: cannot read keyword rule \`${line.trim()}\`; expected kw_x = @{ "x" ~ !ident_tail }`);
    }
    keywords.push({ rule: rule[1], word: word[1] });
  }
  if (keywords.length === 0) throw new Error(`${pestPath}: no kw_* rule found`);
  return keywords;
}
