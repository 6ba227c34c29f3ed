// Golden token files: every scenarios/**/*.dfs and every editors/test/samples/**/*.dfs file is
// tokenized with the real TextMate engine and compared with golden/<folder>/<name>.tokens.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { assertGolden, staleGoldens } from './lib/golden.mjs';
import { formatTokens, repoRoot, tokenize } from './lib/textmate.mjs';

const goldenRoot = path.join(repoRoot, 'editors', 'test', 'golden');

/** Files under `dir` (recursively, sorted) whose name ends with `ext`. */
function filesUnder(dir, ext) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...filesUnder(full, ext));
    } else if (entry.name.endsWith(ext)) {
      out.push(full);
    }
  }
  return out;
}

/** Each input with its golden file: scenarios/a/b.dfs → golden/scenarios/a/b.tokens. */
const inputs = [
  ['scenarios', path.join(repoRoot, 'scenarios')],
  ['samples', path.join(repoRoot, 'editors', 'test', 'samples')],
].flatMap(([folder, dir]) =>
  filesUnder(dir, '.dfs').map((file) => ({
    file,
    shown: path.relative(repoRoot, file),
    golden: path.join(goldenRoot, folder, path.relative(dir, file).replace(/\.dfs$/, '.tokens')),
    sample: folder === 'samples',
  })),
);

test('there are samples to tokenize', () => {
  assert.ok(inputs.filter((i) => i.sample).length >= 3, 'editors/test/samples/ must hold the construct samples');
});

for (const input of inputs) {
  test(`tokens of ${input.shown}`, async () => {
    const tokens = await tokenize(readFileSync(input.file, 'utf8'));
    assertGolden(input.golden, formatTokens(tokens));
    if (input.sample) {
      // The samples are valid scenarios: nothing in them may be marked invalid.
      const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));
      assert.deepEqual(invalid, [], `${input.shown} has tokens marked invalid`);
    }
  });
}

test('no golden file is left without its input', () => {
  const produced = new Set(inputs.map((i) => i.golden));
  const stale = staleGoldens(filesUnder(goldenRoot, '.tokens'), produced);
  assert.deepEqual(stale, [], 'remove these golden files (or rerun with UPDATE_GOLDEN=1)');
});
