import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multibyteLengthOf } from './multibyte-charsets.ts';
import { stringLiteralBytes } from './string-literal.ts';

const value = (literal: string | Buffer, backslashEscapes = true, charset = 'utf8mb4') => {
  const sql = typeof literal === 'string' ? Buffer.from(literal, 'latin1') : literal;
  return stringLiteralBytes(sql, 0, sql.length, backslashEscapes, multibyteLengthOf(charset))?.toString('latin1');
};

test('doubled quotes and backslash escapes are undone as MariaDB does', () => {
  assert.equal(value("'it''s'"), "it's");
  assert.equal(value('"say ""x"""'), 'say "x"');
  assert.equal(value("'a\\'b\\\\c\\nd\\te\\0f\\Zg\\qh'"), "a'b\\c\nd\te\0f\x1agqh");
  assert.equal(value("'100\\%\\_'"), '100\\%\\_');
  assert.equal(value("N'x\\'y'"), "x'y");
});

test('NO_BACKSLASH_ESCAPES keeps backslashes', () => {
  assert.equal(value("'a\\nb'", false), 'a\\nb');
});

test('hex literals are decoded; bit literals are not evaluated', () => {
  assert.equal(value("X'414243'"), 'ABC');
  assert.equal(value("x''"), '');
  assert.equal(value("X'4'"), undefined);
  assert.equal(value("b'0101'"), undefined);
});

test('in gbk a 0x5c trail byte is part of its character, not an escape', () => {
  const literal = Buffer.from([0x27, 0xbf, 0x5c, 0x6e, 0x27]);
  assert.equal(value(literal, true, 'gbk'), '\xbf\x5cn');
  assert.equal(value(literal, true, 'utf8mb4'), '\xbf\n');
});
