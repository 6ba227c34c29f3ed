// The VS Code extension folder is well formed: the manifest fields the marketplace tooling needs,
// the contributed language and grammar, every regex compiling in Oniguruma, and the language
// configuration (comments, brackets, auto-closing, folding) matching the samples' blocks.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import oniguruma from 'vscode-oniguruma';
import { grammarPath, repoRoot, ROOT_SCOPE } from './lib/textmate.mjs';

const extensionDir = path.join(repoRoot, 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
const grammar = JSON.parse(readFileSync(grammarPath, 'utf8'));

test('manifest: the fields vsce requires', () => {
  assert.match(manifest.name, /^[a-z0-9][a-z0-9-]*$/, 'name: lowercase, no spaces');
  assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/i, 'publisher');
  assert.match(manifest.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'version: semver');
  assert.match(manifest.engines?.vscode ?? '', /^\^\d+\.\d+\.\d+$/, 'engines.vscode');
  assert.equal(manifest.license, 'Apache-2.0');
  assert.match(manifest.repository?.url ?? '', /^https:\/\//, 'repository.url');
  assert.ok(manifest.displayName && manifest.description, 'displayName and description');
  assert.deepEqual(manifest.categories, ['Programming Languages']);
  for (const file of manifest.files) {
    assert.ok(existsSync(path.join(extensionDir, file)), `files: ${file} does not exist`);
  }
  assert.ok(!manifest.main && !manifest.browser, 'a declarative extension: no code to activate');
});

test('manifest: the dfs language and its grammar', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'dfs');
  assert.deepEqual(language.extensions, ['.dfs']);
  assert.ok(existsSync(path.join(extensionDir, language.configuration)), 'language configuration file');
  const [contributed] = manifest.contributes.grammars;
  assert.equal(contributed.language, 'dfs');
  assert.equal(contributed.scopeName, ROOT_SCOPE);
  assert.equal(path.resolve(extensionDir, contributed.path), grammarPath);
  assert.equal(grammar.scopeName, ROOT_SCOPE);
});

test('grammar: every include resolves and every regex compiles in Oniguruma', async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).catch((e) => {
    // Already loaded by another test in this process.
    if (!String(e).includes('already')) throw e;
  });
  const problems = [];
  const visit = (node, where) => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    for (const key of ['match', 'begin', 'end']) {
      if (typeof node[key] !== 'string') continue;
      try {
        new oniguruma.OnigScanner([node[key]]).dispose();
      } catch (e) {
        problems.push(`${where}.${key}: ${e.message}`);
      }
    }
    if (typeof node.include === 'string' && node.include.startsWith('#') && !grammar.repository[node.include.slice(1)]) {
      problems.push(`${where}: include ${node.include} has no repository entry`);
    }
    for (const [key, value] of Object.entries(node)) visit(value, `${where}.${key}`);
  };
  visit(grammar, 'grammar');
  assert.deepEqual(problems, []);
});

test('language configuration: comments, brackets, auto-closing quotes', () => {
  const config = JSON.parse(readFileSync(path.join(extensionDir, 'language-configuration.json'), 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['{', '}'], ['(', ')']]);
  const closing = config.autoClosingPairs.map((p) => p.open + p.close);
  assert.deepEqual(closing, ['{}', '()', '""']);
  assert.ok(config.autoClosingPairs[2].notIn.includes('string'), 'no quote pairing inside strings');
  const word = new RegExp(`^(?:${config.wordPattern})$`);
  for (const w of ['max-in-flight', 'edge-1', '250ms', '400/s', '99.5%', '4KiB', '5xx', '1m30s']) {
    assert.match(w, word, `double-click selects ${w} whole`);
  }
});

test('language configuration: folding markers open and close every block of the samples', () => {
  const config = JSON.parse(readFileSync(path.join(extensionDir, 'language-configuration.json'), 'utf8'));
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.equal(config.indentationRules.increaseIndentPattern, config.folding.markers.start);
  const samples = path.join(repoRoot, 'editors', 'test', 'samples');
  for (const name of readdirSync(samples).filter((n) => n.endsWith('.dfs'))) {
    const lines = readFileSync(path.join(samples, name), 'utf8').split('\n');
    let depth = 0;
    let opened = 0;
    for (const [i, line] of lines.entries()) {
      if (end.test(line)) depth -= 1;
      assert.ok(depth >= 0, `${name}:${i + 1} closes a block that no marker opened`);
      if (start.test(line)) {
        depth += 1;
        opened += 1;
      }
    }
    assert.equal(depth, 0, `${name}: every folding region is closed`);
    assert.ok(opened >= 2, `${name}: has foldable blocks`);
  }
  assert.ok(!start.test('node edge { url "http://127.0.0.1:8080" }'), 'a one-line block does not fold');
  assert.ok(start.test('request POST "/f/{x}" {  # templated path'), 'braces in strings and comments are ignored');
});
