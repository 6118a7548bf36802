import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryLiteral, escapeIdentifier, escapeStringLiteral, integerLiteral, utf8mb4Literal } from './escape.ts';

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

test('utf8mb4 literals carry their character set, so a latin1 or binary connection reads them as text', () => {
  assert.equal(utf8mb4Literal('Sleep'), "_utf8mb4'Sleep'");
  assert.equal(utf8mb4Literal("it's"), "_utf8mb4 X'69742773'");
  assert.equal(utf8mb4Literal('a\\b'), "_utf8mb4 X'615c62'");
  assert.equal(utf8mb4Literal('🙂'), "_utf8mb4 X'f09f9982'");
  assert.equal(utf8mb4Literal(''), "_utf8mb4''");
});

test('binary literals are hex', () => {
  assert.equal(binaryLiteral(Buffer.from("a'\\")), "X'61275c'");
  assert.equal(binaryLiteral(Buffer.alloc(0)), "X''");
});
