import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, cat, hex, lenencStr } from '../testing/packet-builders.ts';
import { ColumnType } from '../constants/column-type.ts';
import { decodeTextRow, encodeTextRow, formatDoubleText, formatFloatText } from './text-row.ts';

describe('text row', () => {
  it('encodes length-encoded values and 0xfb for NULL', () => {
    assert.deepEqual(encodeTextRow(['1', null, 'abc', '', hex('00ff')]), hex('01 31 fb 03 616263 00 02 00ff'));
  });

  it('decodes it back (values as bytes)', () => {
    assert.deepEqual(decodeTextRow(hex('01 31 fb 03 616263 00 02 00ff'), 5), [hex('31'), null, hex('616263'), hex(''), hex('00ff')]);
  });

  it('round-trips a value of 251+ bytes (0xfc prefix, not NULL)', () => {
    const big = Buffer.alloc(251, 0x78);
    const bytes = encodeTextRow([big, null]);
    assert.deepEqual(bytes, cat(hex('fc fb00'), big, hex('fb')));
    assert.deepEqual(decodeTextRow(bytes, 2), [big, null]);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated or when fewer values than columns are present', () => {
    const bytes = hex('01 31 fb 03 616263');
    assertTruncationsThrow(bytes, (payload) => decodeTextRow(payload, 3));
    assertTruncationsThrow(bytes, (payload) => decodeTextRow(payload, 4), [bytes.length]);
  });

  it('writes bigints and safe integers as plain digits', () => {
    assert.deepEqual(encodeTextRow([2n ** 64n - 1n, -1, 0]), cat(lenencStr('18446744073709551615'), lenencStr('-1'), lenencStr('0')));
  });

  it('formats numbers for their column: DOUBLE, FLOAT, DECIMAL with its decimals', () => {
    const columns = [{ type: ColumnType.DOUBLE }, { type: ColumnType.FLOAT }, { type: ColumnType.NEWDECIMAL, decimals: 2 }, { type: ColumnType.LONGLONG }];
    assert.deepEqual(encodeTextRow([1e16, Math.fround(3.14), -12.5, 7], columns), cat(lenencStr('1e16'), lenencStr('3.14'), lenencStr('-12.50'), lenencStr('7')));
  });

  it('refuses NaN and infinities, which MariaDB never sends', () => {
    assert.throws(() => encodeTextRow([Number.NaN]), RangeError);
    assert.throws(() => encodeTextRow([Number.POSITIVE_INFINITY], [{ type: ColumnType.DOUBLE }]), RangeError);
  });

  // `SELECT <literal>` on MariaDB 10.11.19 (a DOUBLE column), read from the raw text row.
  const mariaDbDoubles: Array<[number, string]> = [
    [1e14, '100000000000000'],
    [999999999999999, '999999999999999'],
    [1e15, '1e15'],
    [9999999999999999, '1e16'],
    [123456789012345678, '1.2345678901234568e17'],
    [1234567890123456, '1.234567890123456e15'],
    [1234567890123456.7, '1234567890123456.8'],
    [12345678901234567890, '1.2345678901234567e19'],
    [1e21, '1e21'],
    [1e100, '1e100'],
    [-1.5e300, '-1.5e300'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    [0.0001, '0.0001'],
    [1e-7, '0.0000001'],
    [-1e-7, '-0.0000001'],
    [1.25e-5, '0.0000125'],
    [1e-15, '0.000000000000001'],
    [3.3e-15, '0.0000000000000033'],
    [1e-16, '1e-16'],
    [5e-324, '5e-324'],
    [0.000123456789012345678, '0.00012345678901234567'],
    [1 / 3, '0.3333333333333333'],
    [0.1 + 0.2, '0.30000000000000004'],
    [123456.789, '123456.789'],
    [-0.5, '-0.5'],
    [-0, '0'],
  ];
  for (const [value, text] of mariaDbDoubles) {
    it(`formats the DOUBLE ${text} as MariaDB does`, () => assert.equal(formatDoubleText(value), text));
  }

  it('formats FLOATs with six significant digits', () => {
    assert.equal(formatFloatText(Math.fround(3.14)), '3.14');
    assert.equal(formatFloatText(Math.fround(-2.5)), '-2.5');
    assert.equal(formatFloatText(Math.fround(123456789)), '123457000');
    assert.equal(formatFloatText(Math.fround(1e20)), '1e20');
  });
});
