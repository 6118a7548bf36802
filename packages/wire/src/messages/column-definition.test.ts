import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnFlags, ColumnType } from '../constants/column-type.ts';
import { assertTruncationsThrow, cat, hex, lenencStr } from '../testing/packet-builders.ts';
import { type ColumnDefinition, decodeColumnDefinition, encodeColumnDefinition } from './column-definition.ts';

const column: ColumnDefinition = {
  catalog: 'def',
  schema: 'db',
  table: 't',
  orgTable: 't0',
  name: 'id',
  orgName: 'id0',
  characterSet: 63,
  columnLength: 11,
  type: ColumnType.LONG,
  flags: ColumnFlags.NOT_NULL | ColumnFlags.PRI_KEY | ColumnFlags.AUTO_INCREMENT | ColumnFlags.NUM,
  decimals: 0,
};
const columnBytes = hex(`
  03 646566
  02 6462
  01 74
  02 7430
  02 6964
  03 696430
  0c
  3f00
  0b000000
  03
  0382
  00
  0000
`);

describe('ColumnDefinition41', () => {
  it('encodes byte for byte', () => {
    assert.deepEqual(encodeColumnDefinition(column), columnBytes);
  });

  it("writes catalog 'def' when none is given", () => {
    const { catalog: _catalog, ...withoutCatalog } = column;
    assert.deepEqual(encodeColumnDefinition(withoutCatalog), columnBytes);
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeColumnDefinition(columnBytes), column);
  });

  it('round-trips long names, a 32-bit column length and 16-bit flags', () => {
    const long: ColumnDefinition = {
      ...column,
      name: 'n'.repeat(300),
      orgName: 'ö',
      characterSet: 224,
      columnLength: 0xffffffff,
      type: ColumnType.BLOB,
      flags: 0x90 | ColumnFlags.BINARY | ColumnFlags.NUM,
      decimals: 0x1f,
    };
    const bytes = encodeColumnDefinition(long);
    assert.deepEqual(bytes.subarray(12, 15), hex('fc 2c01'));
    assert.deepEqual(decodeColumnDefinition(bytes), long);
  });

  it('ignores a COM_FIELD_LIST default value after the fixed fields', () => {
    assert.deepEqual(decodeColumnDefinition(cat(columnBytes, lenencStr('0'))), column);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for every truncation before the decimals byte', () => {
    assertTruncationsThrow(columnBytes, decodeColumnDefinition, Array.from({ length: columnBytes.length - 2 }, (_, i) => i));
  });
});
