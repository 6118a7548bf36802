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

  describe('with MariaDB extended metadata (MARIADB_CLIENT_EXTENDED_METADATA)', () => {
    // A JSON column as MariaDB 10.11 sends it (captured): a BLOB whose format attribute says 'json'.
    const json: ColumnDefinition = {
      catalog: 'def',
      schema: 'cap',
      table: 't',
      orgTable: 't',
      name: 'j',
      orgName: 'j',
      characterSet: 45,
      columnLength: 0xffffffff,
      type: ColumnType.BLOB,
      flags: ColumnFlags.BLOB | ColumnFlags.BINARY,
      decimals: 0,
      extendedFormat: 'json',
    };
    const jsonBytes = hex(`
      03 646566  03 636170  01 74  01 74  01 6a  01 6a
      06 01 04 6a736f6e
      0c 2d00 ffffffff fc 9000 00 0000
    `);

    it('writes the attribute block after org_name (format key 0x01)', () => {
      assert.deepEqual(encodeColumnDefinition(json, { extendedMetadata: true }), jsonBytes);
      assert.deepEqual(decodeColumnDefinition(jsonBytes, { extendedMetadata: true }), json);
    });

    it('writes an empty block for a column without extended type information', () => {
      const bytes = encodeColumnDefinition(column, { extendedMetadata: true });
      assert.deepEqual(bytes, cat(columnBytes.subarray(0, 19), hex('00'), columnBytes.subarray(19)));
      assert.deepEqual(decodeColumnDefinition(bytes, { extendedMetadata: true }), column);
    });

    it('writes the type name (key 0x00) before the format', () => {
      const inet: ColumnDefinition = { ...column, extendedTypeName: 'inet6', extendedFormat: 'x' };
      const bytes = encodeColumnDefinition(inet, { extendedMetadata: true });
      assert.deepEqual(bytes.subarray(19, 30), hex('0a 00 05 696e657436 01 01 78'));
      assert.deepEqual(decodeColumnDefinition(bytes, { extendedMetadata: true }), inet);
    });

    it('leaves the attributes out without the option, as before', () => {
      assert.deepEqual(encodeColumnDefinition(json), cat(jsonBytes.subarray(0, 16), jsonBytes.subarray(23)));
    });
  });
});
