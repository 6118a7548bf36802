import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnFlags, ColumnType } from '../constants/column-type.ts';
import { assertTruncationsThrow, cat, hex } from '../testing/packet-builders.ts';
import { type BinaryColumn, decodeBinaryRow, encodeBinaryRow } from './binary-row.ts';

const long: BinaryColumn = { type: ColumnType.LONG, flags: 0 };
const text: BinaryColumn = { type: ColumnType.VAR_STRING, flags: 0 };
const unsignedLonglong: BinaryColumn = { type: ColumnType.LONGLONG, flags: ColumnFlags.UNSIGNED | ColumnFlags.NOT_NULL };
const tiny: BinaryColumn = { type: ColumnType.TINY, flags: 0 };

describe('binary row', () => {
  it('encodes 0x00, the NULL bitmap with offset 2, then the non-NULL values', () => {
    const bytes = encodeBinaryRow([long, text, unsignedLonglong], [1, null, 2n ** 64n - 1n]);
    // column 1 is NULL -> bit 1 + 2 = 3 -> 0x08
    assert.deepEqual(bytes, hex('00 08 01000000 ffffffffffffffff'));
  });

  it('decodes it back, honouring the UNSIGNED flag', () => {
    assert.deepEqual(decodeBinaryRow(hex('00 08 01000000 ffffffffffffffff'), [long, text, unsignedLonglong]), [1, null, 2n ** 64n - 1n]);
    const signed = { type: ColumnType.LONGLONG, flags: 0 };
    assert.deepEqual(decodeBinaryRow(hex('00 08 01000000 ffffffffffffffff'), [long, text, signed]), [1, null, -1]);
  });

  it('uses one bitmap byte for up to 6 columns and two for 7 to 14', () => {
    const six = Array.from({ length: 6 }, () => tiny);
    assert.deepEqual(encodeBinaryRow(six, [null, 1, 2, 3, 4, null]), hex('00 84 01 02 03 04'));
    const seven = Array.from({ length: 7 }, () => tiny);
    assert.deepEqual(encodeBinaryRow(seven, [null, 1, 2, 3, 4, 5, null]), hex('00 0401 01 02 03 04 05'));
    assert.deepEqual(decodeBinaryRow(hex('00 0401 01 02 03 04 05'), seven), [null, 1, 2, 3, 4, 5, null]);
    const fourteen = Array.from({ length: 14 }, () => tiny);
    assert.equal(encodeBinaryRow(fourteen, Array(14).fill(null)).length, 1 + 2);
    const fifteen = Array.from({ length: 15 }, () => tiny);
    assert.equal(encodeBinaryRow(fifteen, Array(15).fill(null)).length, 1 + 3);
  });

  it('round-trips a row with every kind of value', () => {
    const columns: BinaryColumn[] = [
      tiny,
      { type: ColumnType.SHORT, flags: ColumnFlags.UNSIGNED },
      { type: ColumnType.LONGLONG, flags: 0 },
      { type: ColumnType.DOUBLE, flags: 0 },
      { type: ColumnType.DATETIME, flags: 0 },
      { type: ColumnType.TIME, flags: 0 },
      { type: ColumnType.NEWDECIMAL, flags: 0 },
      { type: ColumnType.BLOB, flags: ColumnFlags.BLOB },
      { type: ColumnType.NULL, flags: 0 },
    ];
    const values = [-5, 65535, -(2n ** 60n), 2.5, '2024-02-29 23:59:59.000001', '-100:00:00', Buffer.from('3.14'), Buffer.alloc(300, 7), null];
    assert.deepEqual(decodeBinaryRow(encodeBinaryRow(columns, values), columns), values);
  });

  it('encodes all-NULL and empty rows', () => {
    assert.deepEqual(encodeBinaryRow([text, text], [null, null]), hex('00 0c'));
    assert.deepEqual(encodeBinaryRow([], []), hex('00 00'));
    assert.deepEqual(decodeBinaryRow(hex('00 00'), []), []);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for every truncation', () => {
    const columns = [long, text, unsignedLonglong];
    const bytes = encodeBinaryRow(columns, [1, Buffer.from('ab'), 2n]);
    assert.deepEqual(bytes, cat(hex('00 00 01000000 02 6162'), hex('0200000000000000')));
    assertTruncationsThrow(bytes, (payload) => decodeBinaryRow(payload, columns));
  });
});
