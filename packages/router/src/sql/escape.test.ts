import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeIdentifier, escapeStringLiteral, integerLiteral } from './escape.ts';

test('plain strings stay readable; anything with quotes, backslashes or control bytes becomes hex', () => {
  assert.equal(escapeStringLiteral('utf8mb4'), "'utf8mb4'");
  assert.equal(escapeStringLiteral("o'brien"), "X'6f27627269656e'");
  assert.equal(escapeStringLiteral('a\\'), "X'615c'");
  assert.equal(escapeStringLiteral('\0'), "X'00'");
  assert.equal(escapeStringLiteral('é'), "X'c3a9'");
});

test('identifiers are backquoted with backquotes doubled, and NUL is refused', () => {
  assert.equal(escapeIdentifier('a`b'), '`a``b`');
  assert.throws(() => escapeIdentifier('a\0'), TypeError);
});

test('integer literals refuse anything but safe integers', () => {
  assert.equal(integerLiteral(42), '42');
  assert.throws(() => integerLiteral(1.5), TypeError);
  assert.equal(integerLiteral(2n ** 64n - 1n), '18446744073709551615');
  assert.equal(integerLiteral(-(2n ** 63n)), '-9223372036854775808');
  assert.throws(() => integerLiteral(2n ** 64n), TypeError);
  assert.throws(() => integerLiteral(Number.NaN), TypeError);
  assert.throws(() => integerLiteral(2 ** 60), TypeError);
});
