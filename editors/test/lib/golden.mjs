// Golden files: compare actual output with the expected file, or rewrite it when UPDATE_GOLDEN=1.
// A mismatch fails with a line diff that says how to accept the change.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const updating = process.env.UPDATE_GOLDEN === '1';

/** Asserts that `actual` equals the golden file (or writes it when updating). */
export function assertGolden(goldenPath, actual) {
  if (updating) {
    mkdirSync(path.dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, actual);
    return;
  }
  if (!existsSync(goldenPath)) {
    throw new Error(`missing golden file ${goldenPath}; create it with UPDATE_GOLDEN=1 and review it`);
  }
  const expected = readFileSync(goldenPath, 'utf8');
  if (expected !== actual) {
    throw new Error(`${goldenPath} differs (- expected, + actual); if the change is intended, ` +
      `rerun with UPDATE_GOLDEN=1 and review the diff\n${lineDiff(expected, actual)}`);
  }
}

/** Golden files under `dir` that no input produced: stale. Removed when updating. */
export function staleGoldens(allGoldens, produced) {
  const stale = allGoldens.filter((g) => !produced.has(g));
  if (updating) for (const g of stale) rmSync(g);
  return updating ? [] : stale;
}

/** A small line diff (longest common subsequence), with two lines of context around changes. */
export function lineDiff(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push([' ', a[i]]);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) {
      ops.push(['+', b[j++]]);
    } else {
      ops.push(['-', a[i++]]);
    }
  }
  const keep = ops.map((op, k) => ops.slice(Math.max(0, k - 2), k + 3).some(([t]) => t !== ' '));
  const out = [];
  ops.forEach(([t, line], k) => {
    if (keep[k]) out.push(`${t} ${line}`);
    else if (keep[k - 1]) out.push('  ...');
  });
  return out.join('\n');
}
