import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { ColumnType } from '../constants/column-type.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { type BinaryValue, readBinaryValue, writeBinaryValue } from './binary-value.ts';

const T = ColumnType;
const write = (type: number, value: Exclude<BinaryValue, null>): Buffer => {
  const writer = new PayloadWriter();
  writeBinaryValue(writer, type, value);
  return writer.toBuffer();
};
const read = (bytes: Buffer, type: number, unsigned = false): BinaryValue => {
  const reader = new PayloadReader(bytes);
  const value = readBinaryValue(reader, type, unsigned);
  assert.equal(reader.remaining, 0, 'consumed the whole value');
  return value;
};

// [label, type, unsigned, value, bytes]: write(value) === bytes and read(bytes) === value.
const cases: Array<[string, number, boolean, Exclude<BinaryValue, null>, string]> = [
  ['TINY signed -1', T.TINY, false, -1, 'ff'],
  ['TINY signed -128', T.TINY, false, -128, '80'],
  ['TINY signed 127', T.TINY, false, 127, '7f'],
  ['TINY unsigned 255', T.TINY, true, 255, 'ff'],
  ['SHORT signed -2', T.SHORT, false, -2, 'feff'],
  ['SHORT signed -32768', T.SHORT, false, -32768, '0080'],
  ['SHORT unsigned 65535', T.SHORT, true, 65535, 'ffff'],
  ['YEAR 2024', T.YEAR, false, 2024, 'e807'],
  ['LONG signed -3', T.LONG, false, -3, 'fdffffff'],
  ['LONG signed -2^31', T.LONG, false, -(2 ** 31), '00000080'],
  ['LONG unsigned 2^32-1', T.LONG, true, 0xffffffff, 'ffffffff'],
  ['INT24 signed -8388608 (sent as 4 bytes)', T.INT24, false, -8388608, '000080ff'],
  ['INT24 unsigned 16777215', T.INT24, true, 16777215, 'ffffff00'],
  ['LONGLONG signed -1', T.LONGLONG, false, -1, 'ffffffffffffffff'],
  ['LONGLONG signed 2^53-1', T.LONGLONG, false, Number.MAX_SAFE_INTEGER, 'ffffffffffff1f00'],
  ['LONGLONG signed -(2^53-1)', T.LONGLONG, false, -Number.MAX_SAFE_INTEGER, '010000000000e0ff'],
  ['LONGLONG signed 2^53+1 as bigint', T.LONGLONG, false, 2n ** 53n + 1n, '0100000000002000'],
  ['LONGLONG signed -(2^53+1) as bigint', T.LONGLONG, false, -(2n ** 53n + 1n), 'ffffffffffffdfff'],
  ['LONGLONG signed -2^63', T.LONGLONG, false, -(2n ** 63n), '0000000000000080'],
  ['LONGLONG unsigned 2^64-1 as bigint', T.LONGLONG, true, 2n ** 64n - 1n, 'ffffffffffffffff'],
  ['LONGLONG unsigned 2^63 as bigint', T.LONGLONG, true, 2n ** 63n, '0000000000000080'],
  ['FLOAT 1.5', T.FLOAT, false, 1.5, '0000c03f'],
  ['FLOAT -2', T.FLOAT, false, -2, '000000c0'],
  ['DOUBLE 0.1', T.DOUBLE, false, 0.1, '9a9999999999b93f'],
  ['DOUBLE -1e300', T.DOUBLE, false, -1e300, '9c7500883ce437fe'],
  ['DATE', T.DATE, false, '2024-01-02', '04 e807 01 02'],
  ['NEWDATE', T.NEWDATE, false, '2024-12-31', '04 e807 0c 1f'],
  ['DATETIME without micros', T.DATETIME, false, '2024-01-02 03:04:05', '07 e807 01 02 03 04 05'],
  ['DATETIME with micros', T.DATETIME, false, '2024-01-02 03:04:05.000006', '0b e807 01 02 03 04 05 06000000'],
  ['DATETIME with 999999 micros', T.DATETIME, false, '9999-12-31 23:59:59.999999', '0b 0f27 0c 1f 17 3b 3b 3f420f00'],
  ['TIMESTAMP', T.TIMESTAMP, false, '1970-01-01 00:00:01', '07 b207 01 01 00 00 01'],
  ['DATETIME2', T.DATETIME2, false, '2000-02-29 12:00:00.500000', '0b d007 02 1d 0c 00 00 20a10700'],
  ['TIMESTAMP2', T.TIMESTAMP2, false, '2038-01-19 03:14:07', '07 f607 01 13 03 0e 07'],
  ['TIME positive', T.TIME, false, '12:34:56', '08 00 00000000 0c 22 38'],
  ['TIME negative with days', T.TIME, false, '-838:59:59', '08 01 22000000 16 3b 3b'],
  ['TIME with micros', T.TIME, false, '-01:02:03.000004', '0c 01 00000000 01 02 03 04000000'],
  ['TIME of 100 hours', T.TIME, false, '100:00:00', '08 00 04000000 04 00 00'],
  ['TIME2', T.TIME2, false, '25:00:01', '08 00 01000000 01 00 01'],
  ['VAR_STRING bytes', T.VAR_STRING, false, Buffer.from('héllo'), '06 68c3a96c6c6f'],
  ['STRING bytes', T.STRING, false, Buffer.from('x'), '01 78'],
  ['VARCHAR bytes', T.VARCHAR, false, Buffer.alloc(0), '00'],
  ['BLOB 251 bytes', T.BLOB, false, Buffer.alloc(251, 0x62), `fc fb00 ${'62'.repeat(251)}`],
  ['DECIMAL as raw text', T.DECIMAL, false, Buffer.from('1.50'), '04 312e3530'],
  ['NEWDECIMAL as raw text', T.NEWDECIMAL, false, Buffer.from('-0.001'), '06 2d302e303031'],
  ['BIT', T.BIT, false, hex('0102'), '02 0102'],
  ['JSON', T.JSON, false, Buffer.from('{}'), '02 7b7d'],
  ['ENUM', T.ENUM, false, Buffer.from('a'), '01 61'],
  ['SET', T.SET, false, Buffer.from('a,b'), '03 612c62'],
  ['GEOMETRY', T.GEOMETRY, false, hex('00000000'), '04 00000000'],
  ['TINY_BLOB', T.TINY_BLOB, false, hex('ff'), '01 ff'],
  ['MEDIUM_BLOB', T.MEDIUM_BLOB, false, hex('ff'), '01 ff'],
  ['LONG_BLOB', T.LONG_BLOB, false, hex('ff'), '01 ff'],
];

describe('binary values', () => {
  for (const [label, type, unsigned, value, bytes] of cases) {
    it(`${label}: writes ${bytes} and reads it back`, () => {
      assert.deepEqual(write(type, value), hex(bytes));
      assert.deepEqual(read(hex(bytes), type, unsigned), value);
    });
  }

  it('writes strings as UTF-8 for string types', () => {
    assert.deepEqual(write(T.VAR_STRING, 'héllo'), hex('06 68c3a96c6c6f'));
  });

  it('writes numbers given as strings or bigints for integer types', () => {
    assert.deepEqual(write(T.LONGLONG, '-2'), hex('feffffffffffffff'));
    assert.deepEqual(write(T.LONG, 7n), hex('07000000'));
  });

  it('reads NULL-typed values as null without consuming bytes', () => {
    const reader = new PayloadReader(hex('01'));
    assert.equal(readBinaryValue(reader, T.NULL, false), null);
    assert.equal(reader.offset, 0);
  });

  it('writes nothing for a NULL-typed value, so reading stays in step', () => {
    assert.deepEqual(write(T.NULL, Buffer.from('x')), Buffer.alloc(0));
  });

  it('reads zero-length temporal values as zero dates and times', () => {
    assert.equal(read(hex('00'), T.DATE), '0000-00-00');
    assert.equal(read(hex('00'), T.DATETIME), '0000-00-00 00:00:00');
    assert.equal(read(hex('00'), T.TIMESTAMP), '0000-00-00 00:00:00');
    assert.equal(read(hex('00'), T.TIME), '00:00:00');
  });

  it('reads a 4-byte DATETIME with a zero time, and drops the time of a DATE sent with one', () => {
    assert.equal(read(hex('04 e807 01 02'), T.DATETIME), '2024-01-02 00:00:00');
    assert.equal(read(hex('07 e807 01 02 03 04 05'), T.DATE), '2024-01-02');
  });

  it('writes temporal values in the shortest length that holds them, as MariaDB does', () => {
    assert.deepEqual(write(T.DATETIME, '2024-01-02 00:00:00'), hex('04 e807 01 02'));
    assert.deepEqual(write(T.DATETIME, '2024-01-02 00:00:00.000000'), hex('04 e807 01 02'));
    assert.deepEqual(write(T.DATETIME, '0000-00-00 00:00:00'), hex('00'));
    assert.deepEqual(write(T.DATE, '0000-00-00'), hex('00'));
    assert.deepEqual(write(T.TIME, '00:00:00'), hex('00'));
    assert.deepEqual(write(T.TIME, '-00:00:00.000000'), hex('00'));
    assert.deepEqual(write(T.TIME, '0 00:00:01'), hex('08 00 00000000 00 00 01'));
    assert.equal(read(write(T.DATETIME, '2024-01-02 00:00:00'), T.DATETIME), '2024-01-02 00:00:00');
    assert.equal(read(write(T.TIME, '00:00:00'), T.TIME), '00:00:00');
  });

  it('accepts an ISO T separator when writing DATETIME', () => {
    assert.deepEqual(write(T.DATETIME, '2024-01-02T03:04:05'), hex('07 e807 01 02 03 04 05'));
  });

  it('writes TIME in the D HH:MM:SS form', () => {
    assert.deepEqual(write(T.TIME, '-34 22:59:59'), hex('08 01 22000000 16 3b 3b'));
  });

  it('pads microseconds given with fewer than six digits', () => {
    assert.deepEqual(write(T.DATETIME, '2024-01-02 03:04:05.12'), hex('0b e807 01 02 03 04 05 c0d40100'));
  });

  it('rejects text that is not a temporal value', () => {
    assert.throws(() => write(T.DATETIME, 'yesterday'), TypeError);
    assert.throws(() => write(T.TIME, '12:34'), TypeError);
  });

  it('rejects invalid temporal lengths with CATHODE_PROTOCOL_VIOLATION', () => {
    assertCathodeError(() => read(hex('05 e807 01 02 03'), T.DATETIME), PROTOCOL_VIOLATION);
    assertCathodeError(() => read(hex('07 00 00000000 00 00'), T.TIME), PROTOCOL_VIOLATION);
  });

  describe('truncated input throws CATHODE_PROTOCOL_VIOLATION', () => {
    for (const [label, type, unsigned, , bytes] of cases) {
      it(label, () => assertTruncationsThrow(hex(bytes), (payload) => readBinaryValue(new PayloadReader(payload), type, unsigned)));
    }
  });
});
