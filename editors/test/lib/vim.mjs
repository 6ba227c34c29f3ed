// Reads the Vim syntax file's keyword lists, and runs real Vim (when installed) to see which syntax
// group each piece of a buffer gets with editors/vim on the runtime path.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './textmate.mjs';

export const vimSyntaxPath = path.join(repoRoot, 'editors', 'vim', 'syntax', 'dfs.vim');
const vimRuntime = path.join(repoRoot, 'editors', 'vim');
const dumpScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'syntax-dump.vim');

/** The syntax groups that hold keywords, and the words of each (`syn match G /\<\%(a\|b\)\>/`). */
export const VIM_KEYWORD_GROUPS = ['dfsKeywordControl', 'dfsKeywordOther', 'dfsConstant'];

export function vimKeywords(text = readFileSync(vimSyntaxPath, 'utf8')) {
  const byGroup = new Map(VIM_KEYWORD_GROUPS.map((g) => [g, []]));
  for (const line of text.split('\n')) {
    const m = line.match(/^syn match (\w+) \/\\<\\%\((.*)\\\)\\>\/$/);
    if (m && byGroup.has(m[1])) byGroup.get(m[1]).push(...m[2].split('\\|'));
  }
  return byGroup;
}

/** Whether a Vim with syntax support can be run. */
export function vimAvailable() {
  const probe = spawnSync('vim', ['-Nu', 'NONE', '-Es', '-c', 'if !has("syntax") | cquit | endif', '-c', 'qall!'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return probe.status === 0;
}

/** Highlights `text` as a .dfs buffer in Vim; returns one array of `{ group, text }` per line. */
export function vimSyntax(text) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dfs-vim-'));
  try {
    const file = path.join(dir, 'buffer.dfs');
    const out = path.join(dir, 'groups.txt');
    writeFileSync(file, text);
    const run = spawnSync(
      'vim',
      ['-Nu', 'NONE', '-i', 'NONE', '-n', '-Es', '--cmd', `set rtp^=${vimRuntime}`, '--cmd', 'filetype on',
        '--cmd', 'syntax on', '-c', `source ${dumpScript}`, file],
      { env: { ...process.env, DFS_SYNTAX_DUMP: out }, encoding: 'utf8', timeout: 30_000 },
    );
    if (run.status !== 0) throw new Error(`vim failed (${run.status}): ${run.stderr}`);
    return readFileSync(out, 'utf8')
      .replace(/\n$/, '')
      .split('\n')
      .map((line) =>
        line === ''
          ? []
          : line.split(' | ').map((run) => {
              const at = run.indexOf('=');
              return { group: run.slice(0, at), text: run.slice(at + 1) };
            }),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
