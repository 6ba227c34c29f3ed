// The editor grammars cannot drift from grammar/dfs.pest: every kw_* keyword must be highlighted
// as a keyword by the TextMate grammar (through the real engine) and by the Vim syntax file, and
// neither may list a word that is no longer a keyword.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pestKeywords } from './lib/pest.mjs';
import { grammarPath, tokenize } from './lib/textmate.mjs';
import { VIM_KEYWORD_GROUPS, vimAvailable, vimKeywords, vimSyntax } from './lib/vim.mjs';

const keywords = pestKeywords();
const words = keywords.map((k) => k.word);
/** Scopes that count as highlighting a keyword. */
const KEYWORD_SCOPES = ['keyword.control.dfs', 'keyword.other.dfs', 'constant.language.dfs'];
/** The repository entries of the TextMate grammar that list keywords. */
const TM_KEYWORD_RULES = ['keyword-control', 'keyword-other', 'constant-language'];

test('grammar/dfs.pest has keywords to check', () => {
  assert.ok(keywords.length >= 50, `only ${keywords.length} kw_* rules found`);
  assert.equal(new Set(words).size, words.length, 'a keyword is defined twice');
});

test('TextMate: every pest keyword is highlighted as a keyword', async () => {
  const missing = [];
  for (const { rule, word } of keywords) {
    const tokens = await tokenize(`${word}\n`);
    const ok = tokens.length === 1 && tokens[0].text === word && KEYWORD_SCOPES.includes(tokens[0].scopes.at(-1));
    if (!ok) missing.push(`${rule} ("${word}") → ${JSON.stringify(tokens.map((t) => [t.text, t.scopes.join(' ')]))}`);
  }
  assert.deepEqual(missing, [], `add these keywords to ${TM_KEYWORD_RULES.join(' / ')} in ${grammarPath}`);
});

test('TextMate: the keyword lists hold only pest keywords, each once', () => {
  const grammar = JSON.parse(readFileSync(grammarPath, 'utf8'));
  const listed = TM_KEYWORD_RULES.flatMap((name) => {
    const match = grammar.repository[name]?.match ?? '';
    const alternation = match.match(/\(\?:([^()]*)\)/);
    assert.ok(alternation, `repository.${name}.match must be (?<![\\w-])(?:a|b|...)(?![\\w-])`);
    return alternation[1].split('|');
  });
  assert.deepEqual(listed.filter((w) => !words.includes(w)), [], 'words that are not keywords of grammar/dfs.pest');
  assert.deepEqual(listed.filter((w, i) => listed.indexOf(w) !== i), [], 'words listed twice');
  assert.deepEqual(words.filter((w) => !listed.includes(w)), [], 'pest keywords missing from the lists');
});

test('TextMate: a keyword inside a longer name is not a keyword', async () => {
  for (const word of ['rate-limit', 'node_2', 'my-attack', 'timeouts']) {
    const tokens = await tokenize(`${word}\n`);
    assert.deepEqual(tokens.map((t) => [t.text, t.scopes.join(' ')]), [[word, 'variable.other.name.dfs']]);
  }
});

test('Vim: the syntax file lists every pest keyword, and only those', () => {
  const byGroup = vimKeywords();
  const listed = VIM_KEYWORD_GROUPS.flatMap((g) => byGroup.get(g));
  assert.deepEqual(words.filter((w) => !listed.includes(w)), [], 'pest keywords missing from editors/vim/syntax/dfs.vim');
  assert.deepEqual(listed.filter((w) => !words.includes(w)), [], 'words in dfs.vim that are not pest keywords');
  assert.deepEqual(listed.filter((w, i) => listed.indexOf(w) !== i), [], 'words listed twice in dfs.vim');
});

test('Vim and TextMate agree on which keywords are control words', () => {
  const grammar = JSON.parse(readFileSync(grammarPath, 'utf8'));
  const tmControl = grammar.repository['keyword-control'].match.match(/\(\?:([^()]*)\)/)[1].split('|').sort();
  assert.deepEqual([...vimKeywords().get('dfsKeywordControl')].sort(), tmControl);
});

test('Vim: real Vim highlights every pest keyword as a keyword', (t) => {
  if (!vimAvailable()) {
    t.skip('vim with +syntax is not installed; the static check above still ran');
    return;
  }
  const lines = vimSyntax(words.join('\n') + '\n');
  const wrong = words.filter((word, i) => {
    const runs = lines[i] ?? [];
    return !(runs.length === 1 && runs[0].text === word && VIM_KEYWORD_GROUPS.includes(runs[0].group));
  });
  assert.deepEqual(wrong, [], 'keywords Vim does not highlight as keywords');
});
