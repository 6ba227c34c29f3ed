// Renders a .dfs file highlighted by the TextMate grammar to a PNG: serves index.html, the grammar,
// the engine and the file on 127.0.0.1 (ephemeral port), and screenshots it with headless Chromium.
// Usage: node editors/screenshot/render.mjs SCENARIO.dfs OUT.png  (editors/screenshot.sh wraps it)

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const modules = path.join(repoRoot, 'editors', 'test', 'node_modules');
const [scenario, out] = process.argv.slice(2);
if (!scenario || !out) {
  console.error('usage: node editors/screenshot/render.mjs SCENARIO.dfs OUT.png');
  process.exit(2);
}

/** The only paths served, and where each comes from. */
const routes = {
  '/index.html': [path.join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/highlight.js': [path.join(here, 'highlight.js'), 'text/javascript'],
  '/grammar.json': [path.join(repoRoot, 'editors', 'vscode', 'syntaxes', 'dfs.tmLanguage.json'), 'application/json'],
  '/vendor/vscode-textmate.js': [path.join(modules, 'vscode-textmate', 'release', 'main.js'), 'text/javascript'],
  '/vendor/vscode-oniguruma.js': [path.join(modules, 'vscode-oniguruma', 'release', 'main.js'), 'text/javascript'],
  '/vendor/onig.wasm': [path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm'), 'application/wasm'],
  '/scenario.dfs': [path.resolve(scenario), 'text/plain; charset=utf-8'],
};
for (const [file] of Object.values(routes)) statSync(file); // Fail early, naming the missing file.

const server = http.createServer((request, response) => {
  const route = routes[new URL(request.url, 'http://127.0.0.1').pathname];
  if (!route) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': route[1] }).end(readFileSync(route[0]));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

const lines = readFileSync(scenario, 'utf8').replace(/\n$/, '').split('\n').length;
const height = 36 + 24 + lines * 22 + 4; // tab bar, padding, lines
const profile = mkdtempSync(path.join(os.tmpdir(), 'dfs-chromium-'));
const name = encodeURIComponent(path.basename(scenario));
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profile}`,
  `--window-size=900,${height}`, '--virtual-time-budget=10000', `--screenshot=${path.resolve(out)}`,
  `http://127.0.0.1:${port}/index.html?name=${name}`,
];
const chromium = process.env.CHROMIUM ?? 'chromium';
const code = await new Promise((resolve) => {
  const child = spawn(chromium, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', (error) => {
    console.error(`cannot run ${chromium}: ${error.message}`);
    resolve(127);
  });
  child.on('exit', (status) => resolve(status ?? 1));
});
server.close();
rmSync(profile, { recursive: true, force: true });
if (code !== 0) {
  console.error(`chromium exited with ${code}`);
  process.exit(1);
}
console.log(`wrote ${out} (${lines} lines of ${scenario})`);
