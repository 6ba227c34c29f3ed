// The scope conventions, construct by construct: what a theme sees for declared names, strings,
// escapes, interpolation, unit literals, operators, methods, metrics and comments.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from './lib/textmate.mjs';

/** `[text, innermost scope]` for every non-blank token of a one-line snippet. */
async function scopes(line) {
  const tokens = await tokenize(`${line}\n`);
  return tokens.filter((t) => t.text.trim() !== '').map((t) => [t.text, t.scopes.at(-1) ?? '-']);
}

/** The full scope list of the first token whose text is `text`. */
async function scopesOf(line, text) {
  const token = (await tokenize(`${line}\n`)).find((t) => t.text === text);
  assert.ok(token, `no token ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return token.scopes;
}

test('declarations name what they declare', async () => {
  assert.deepEqual(await scopes('node edge-1 {'), [
    ['node', 'keyword.control.dfs'],
    ['edge-1', 'entity.name.type.node.dfs'],
    ['{', 'punctuation.section.block.begin.dfs'],
  ]);
  assert.deepEqual((await scopes('attack spike on edge, edge-2 {')).slice(0, 5), [
    ['attack', 'keyword.control.dfs'],
    ['spike', 'entity.name.function.attack.dfs'],
    ['on', 'keyword.control.dfs'],
    ['edge', 'variable.other.name.dfs'],
    [',', 'punctuation.separator.comma.dfs'],
  ]);
  assert.deepEqual(await scopes('function figlet {'), [
    ['function', 'keyword.control.dfs'],
    ['figlet', 'entity.name.type.function.dfs'],
    ['{', 'punctuation.section.block.begin.dfs'],
  ]);
  assert.deepEqual(await scopes('let rate_base = 50/s'), [
    ['let', 'keyword.control.dfs'],
    ['rate_base', 'entity.name.variable.dfs'],
    ['=', 'keyword.operator.assignment.dfs'],
    ['50/s', 'constant.numeric.rate.dfs'],
  ]);
  // A keyword used as a declared name is still the name.
  assert.deepEqual((await scopes('attack report on edge {'))[1], ['report', 'entity.name.function.attack.dfs']);
});

test('unit literals keep their unit in one numeric token', async () => {
  const cases = [
    ['delay 250ms', '250ms', 'constant.numeric.duration.dfs'],
    ['duration 1m30s', '1m30s', 'constant.numeric.duration.dfs'],
    ['timeout 1.5s', '1.5s', 'constant.numeric.duration.dfs'],
    ['every 500us', '500us', 'constant.numeric.duration.dfs'],
    ['every 20µs', '20µs', 'constant.numeric.duration.dfs'],
    ['rate 1_000/m', '1_000/m', 'constant.numeric.rate.dfs'],
    ['rate 2.5/s', '2.5/s', 'constant.numeric.rate.dfs'],
    ['errors 99.5%', '99.5%', 'constant.numeric.percent.dfs'],
    ['record body 4KiB', '4KiB', 'constant.numeric.size.dfs'],
    ['let big = 10MB', '10MB', 'constant.numeric.size.dfs'],
    ['let errs = 5xx', '5xx', 'constant.numeric.status.dfs'],
    ['workers 8', '8', 'constant.numeric.integer.dfs'],
    ['expect json "load" <= 0.75', '0.75', 'constant.numeric.decimal.dfs'],
  ];
  for (const [line, text, scope] of cases) {
    assert.equal((await scopesOf(line, text)).at(-1), scope, line);
  }
});

test('status lists: codes, classes and ranges', async () => {
  assert.deepEqual(await scopes('success 200..299, 404, 5xx'), [
    ['success', 'keyword.other.dfs'],
    ['200', 'constant.numeric.status.dfs'],
    ['..', 'keyword.operator.range.dfs'],
    ['299', 'constant.numeric.status.dfs'],
    [',', 'punctuation.separator.comma.dfs'],
    ['404', 'constant.numeric.status.dfs'],
    [',', 'punctuation.separator.comma.dfs'],
    ['5xx', 'constant.numeric.status.dfs'],
  ]);
  assert.deepEqual(await scopes('expect status 200 # ok'), [
    ['expect', 'keyword.control.dfs'],
    ['status', 'keyword.other.dfs'],
    ['200', 'constant.numeric.status.dfs'],
    ['#', 'punctuation.definition.comment.dfs'],
    [' ok', 'comment.line.number-sign.dfs'],
  ]);
  // `when success` is the notify condition, not a status list.
  assert.deepEqual(await scopes('when success'), [['when', 'keyword.control.dfs'], ['success', 'keyword.other.dfs']]);
});

test('a latency range: two durations around ..', async () => {
  assert.deepEqual(await scopes('latency 5ms..40ms'), [
    ['latency', 'keyword.other.dfs'],
    ['5ms', 'constant.numeric.duration.dfs'],
    ['..', 'keyword.operator.range.dfs'],
    ['40ms', 'constant.numeric.duration.dfs'],
  ]);
});

test('strings: escapes, invalid escapes, interpolation, templates', async () => {
  const line = 'body "a\\n\\u{1F600}\\q ${NAME:-x} {{ seq }}"';
  assert.deepEqual(await scopesOf(line, '\\n'), ['string.quoted.double.dfs', 'constant.character.escape.dfs']);
  assert.deepEqual(await scopesOf(line, '\\u{1F600}'), ['string.quoted.double.dfs', 'constant.character.escape.dfs']);
  assert.deepEqual(await scopesOf(line, '\\q'), ['string.quoted.double.dfs', 'invalid.illegal.escape.dfs']);
  assert.deepEqual(await scopesOf(line, 'NAME'), [
    'string.quoted.double.dfs',
    'meta.interpolation.dfs',
    'variable.other.dfs',
  ]);
  assert.equal((await scopesOf(line, 'x')).at(-1), 'string.unquoted.default.dfs');
  assert.equal((await scopesOf(line, '{{')).at(-1), 'punctuation.section.embedded.begin.dfs');
  // An escaped dollar is not an interpolation.
  assert.deepEqual(await scopes('body "\\${HOME}"'), [
    ['body', 'keyword.other.dfs'],
    ['"', 'punctuation.definition.string.begin.dfs'],
    ['\\$', 'constant.character.escape.dfs'],
    ['{HOME}', 'string.quoted.double.dfs'],
    ['"', 'punctuation.definition.string.end.dfs'],
  ]);
});

test('an unterminated string ends at the end of its line', async () => {
  const tokens = await tokenize('url "http://127.0.0.1\nnode edge {}\n');
  const node = tokens.find((t) => t.text === 'node');
  assert.deepEqual(node.scopes, ['keyword.control.dfs']);
});

test('raw strings span lines, keep interpolation, have no escapes', async () => {
  const tokens = await tokenize('body """{\n  "a": "${A}\\n"\n}"""\nrate 1/s\n');
  const byText = (text) => tokens.find((t) => t.text.includes(text));
  assert.equal(byText('"a": "').scopes[0], 'string.quoted.triple.dfs');
  assert.deepEqual(tokens.find((t) => t.text === 'A').scopes, [
    'string.quoted.triple.dfs',
    'meta.interpolation.dfs',
    'variable.other.dfs',
  ]);
  assert.ok(!tokens.some((t) => t.scopes.includes('constant.character.escape.dfs')), 'no escapes in raw strings');
  assert.deepEqual(tokens.find((t) => t.text === 'rate').scopes, ['keyword.other.dfs']);
});

test('interpolation outside strings', async () => {
  assert.deepEqual(await scopesOf('rate ${RATE}', 'RATE'), ['meta.interpolation.dfs', 'variable.other.dfs']);
  assert.deepEqual(await scopesOf('rate ${1bad}', '${1bad}'), ['invalid.illegal.interpolation.dfs']);
});

test('operators, methods and metrics', async () => {
  assert.deepEqual(await scopes('ramp 10/s -> 400/s over 20s'), [
    ['ramp', 'keyword.control.dfs'],
    ['10/s', 'constant.numeric.rate.dfs'],
    ['->', 'keyword.operator.arrow.dfs'],
    ['400/s', 'constant.numeric.rate.dfs'],
    ['over', 'keyword.control.dfs'],
    ['20s', 'constant.numeric.duration.dfs'],
  ]);
  assert.deepEqual(await scopes('request PATCH "/f"').then((s) => s.slice(0, 2)), [
    ['request', 'keyword.other.dfs'],
    ['PATCH', 'support.function.method.dfs'],
  ]);
  assert.deepEqual(await scopes('expect p99.9(spike) != 1s'), [
    ['expect', 'keyword.control.dfs'],
    ['p99.9', 'support.function.metric.dfs'],
    ['(', 'punctuation.section.parens.begin.dfs'],
    ['spike', 'variable.other.name.dfs'],
    [')', 'punctuation.section.parens.end.dfs'],
    ['!=', 'keyword.operator.comparison.dfs'],
    ['1s', 'constant.numeric.duration.dfs'],
  ]);
  assert.deepEqual((await scopes('expect success(all) >= 99%')).slice(1, 4), [
    ['success', 'support.function.metric.dfs'],
    ['(', 'punctuation.section.parens.begin.dfs'],
    ['all', 'constant.language.all.dfs'],
  ]);
  assert.deepEqual(await scopesOf('expect json "ok" == true', '=='), ['keyword.operator.comparison.dfs']);
  assert.deepEqual(await scopesOf('expect json "ok" == true', 'true'), ['constant.language.dfs']);
  assert.deepEqual((await scopes('hold 5/s for 1m; step 1/s -> 9/s by 1/s every 1s'))[4], [
    ';',
    'punctuation.terminator.statement.dfs',
  ]);
});

test('comments run to the end of the line, not inside strings', async () => {
  assert.deepEqual(await scopes('# a comment with "quotes" and 10s'), [
    ['#', 'punctuation.definition.comment.dfs'],
    [' a comment with "quotes" and 10s', 'comment.line.number-sign.dfs'],
  ]);
  assert.deepEqual((await scopes('url "http://127.0.0.1/#frag"'))[2], ['http://127.0.0.1/#frag', 'string.quoted.double.dfs']);
});
