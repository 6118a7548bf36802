import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BinaryValue,
  CapabilityFlags,
  ColumnFlags,
  ColumnType,
  MariaDbCapabilityFlags,
  PacketFramer,
  ResponseScanner,
  ResponseShape,
  ServerStatus,
  SqlError,
  decodeBinaryRow,
  decodeColumnDefinition,
  decodeTextRow,
  encodeColumnDefinition,
} from '@cathode/wire';
import {
  cat,
  columnCountPayload,
  columnPayload,
  eofPayload,
  errPayload,
  hex,
  lenenc,
  lenencStr,
  okPayload,
  packets,
  str,
  textRowPayload,
  u16,
} from '../../wire/src/testing/packet-builders.ts';
import type { ResultColumn } from './result-column.ts';
import { ResultWriter, writeSingleValue } from './result-writer.ts';
import { FLAVORS, type Flavor, clientFlags } from './testing/client-flavors.ts';
import { RecordingTarget } from './testing/recording-target.ts';

const AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
const IN_TRANS = ServerStatus.SERVER_STATUS_IN_TRANS;
const MORE_RESULTS = ServerStatus.SERVER_MORE_RESULTS_EXISTS;
const flavors = Object.keys(FLAVORS) as Flavor[];

function writerFor(flavor: Flavor, firstSequenceId = 1): { writer: ResultWriter; target: RecordingTarget } {
  const target = new RecordingTarget(clientFlags(flavor), firstSequenceId);
  return { writer: new ResultWriter(target, { mariaDbCapabilities: FLAVORS[flavor][1] }), target };
}

const deprecatesEof = (flavor: Flavor): boolean => (FLAVORS[flavor][0] & CapabilityFlags.CLIENT_DEPRECATE_EOF) !== 0;
const cachesMetadata = (flavor: Flavor): boolean => (FLAVORS[flavor][1] & MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA) !== 0;
const extendsMetadata = (flavor: Flavor): boolean => (FLAVORS[flavor][1] & MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA) !== 0;

// Two expression columns (no schema or table): an INT and a VARCHAR.
const columns: ResultColumn[] = [
  { name: 'a', type: ColumnType.LONG, columnLength: 11 },
  { name: 'b', type: ColumnType.VAR_STRING, columnLength: 80 },
];
const expression = { schema: '', table: '', orgName: '' };
const defA = columnPayload('a', ColumnType.LONG, { ...expression, charset: 63, length: 11 });
const defB = columnPayload('b', ColumnType.VAR_STRING, { ...expression, charset: 45, length: 80 });
// With extended metadata: an empty attribute block after org_name.
const defAExtended = columnPayload('a', ColumnType.LONG, { ...expression, charset: 63, length: 11, extended: Buffer.alloc(0) });
const defBExtended = columnPayload('b', ColumnType.VAR_STRING, { ...expression, charset: 45, length: 80, extended: Buffer.alloc(0) });
const endOk = (status: number) => okPayload({ status }, 0xfe);

describe('ResultWriter', () => {
  describe('a text result set, byte for byte', () => {
    const row = textRowPayload('1', 'x');
    const expected: Record<Flavor, Buffer[]> = {
      plain: [hex('02'), defA, defB, eofPayload(AUTOCOMMIT), row, eofPayload(AUTOCOMMIT)],
      deprecateEof: [hex('02'), defA, defB, row, endOk(AUTOCOMMIT)],
      cacheMetadata: [hex('02 01'), defA, defB, eofPayload(AUTOCOMMIT), row, eofPayload(AUTOCOMMIT)],
      cacheMetadataDeprecateEof: [hex('02 01'), defA, defB, row, endOk(AUTOCOMMIT)],
      extendedMetadata: [hex('02'), defAExtended, defBExtended, eofPayload(AUTOCOMMIT), row, eofPayload(AUTOCOMMIT)],
    };
    for (const flavor of flavors) {
      it(`for a ${flavor} client`, () => {
        const { writer, target } = writerFor(flavor);
        writer.columns(columns, { statusFlags: AUTOCOMMIT });
        writer.textRow([1, 'x']);
        writer.end({ statusFlags: AUTOCOMMIT });
        assert.deepEqual(target.payloads, expected[flavor]);
        assert.deepEqual(target.bytes, packets(1, ...expected[flavor]));
      });
    }
  });

  describe('a binary result set, with definitions or (where the client caches them) without', () => {
    // 0x00, a one-byte NULL bitmap, the INT, the string.
    const row = hex('00 00 01000000 01 78');
    const expected: Record<Flavor, { withDefinitions: Buffer[]; cached: Buffer[] }> = {
      plain: {
        withDefinitions: [hex('02'), defA, defB, eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
        cached: [hex('02'), defA, defB, eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
      },
      deprecateEof: {
        withDefinitions: [hex('02'), defA, defB, row, endOk(IN_TRANS)],
        cached: [hex('02'), defA, defB, row, endOk(IN_TRANS)],
      },
      cacheMetadata: {
        withDefinitions: [hex('02 01'), defA, defB, eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
        cached: [hex('02 00'), eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
      },
      cacheMetadataDeprecateEof: {
        withDefinitions: [hex('02 01'), defA, defB, row, endOk(IN_TRANS)],
        cached: [hex('02 00'), row, endOk(IN_TRANS)],
      },
      extendedMetadata: {
        withDefinitions: [hex('02'), defAExtended, defBExtended, eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
        cached: [hex('02'), defAExtended, defBExtended, eofPayload(AUTOCOMMIT), row, eofPayload(IN_TRANS)],
      },
    };
    for (const flavor of flavors) {
      for (const metadataFollows of [true, false]) {
        it(`for a ${flavor} client, metadataFollows ${metadataFollows}`, () => {
          const { writer, target } = writerFor(flavor);
          writer.columns(columns, { statusFlags: AUTOCOMMIT, binary: true, metadataFollows });
          writer.binaryRow([1, 'x']);
          writer.end({ statusFlags: IN_TRANS });
          const { withDefinitions, cached } = expected[flavor];
          assert.deepEqual(target.bytes, packets(1, ...(metadataFollows ? withDefinitions : cached)));
        });
      }
    }
  });

  it('writes an empty result set: the head, then the end', () => {
    for (const flavor of ['plain', 'cacheMetadataDeprecateEof'] as const) {
      const { writer, target } = writerFor(flavor);
      writer.columns(columns, { statusFlags: AUTOCOMMIT });
      writer.end({ statusFlags: AUTOCOMMIT, warnings: 2 });
      const expected =
        flavor === 'plain'
          ? [hex('02'), defA, defB, eofPayload(AUTOCOMMIT), eofPayload(AUTOCOMMIT, 2)]
          : [hex('02 01'), defA, defB, okPayload({ status: AUTOCOMMIT, warnings: 2 }, 0xfe)];
      assert.deepEqual(target.bytes, packets(1, ...expected), flavor);
    }
  });

  it('writes NULLs as 0xfb in text rows and as bitmap bits from offset 2 in binary rows', () => {
    const text = writerFor('plain');
    text.writer.columns(columns, { statusFlags: AUTOCOMMIT });
    text.writer.textRow([null, null]);
    text.writer.textRow([null, 'x']);
    assert.deepEqual(text.target.payloads.slice(4), [hex('fb fb'), hex('fb 01 78')]);

    const binary = writerFor('deprecateEof');
    binary.writer.columns(columns, { statusFlags: AUTOCOMMIT, binary: true });
    binary.writer.binaryRow([null, 'x']);
    binary.writer.binaryRow([1, null]);
    binary.writer.binaryRow([null, null]);
    assert.deepEqual(binary.target.payloads.slice(3), [hex('00 04 01 78'), hex('00 08 01000000'), hex('00 0c')]);
  });

  it('writes 251-byte values with the 0xfc length prefix, which no reader takes for NULL (0xfb)', () => {
    const value = 'v'.repeat(251);
    const { writer, target } = writerFor('plain');
    writer.columns(columns, { statusFlags: AUTOCOMMIT });
    writer.textRow([null, value]);
    const row = target.payloads[4];
    assert.deepEqual(row, cat(hex('fb'), hex('fc fb00'), str(value)));
    assert.deepEqual(decodeTextRow(row, 2), [null, str(value)]);

    const binary = writerFor('plain');
    binary.writer.columns(columns, { statusFlags: AUTOCOMMIT, binary: true });
    binary.writer.binaryRow([251, value]);
    assert.deepEqual(binary.target.payloads[4], cat(hex('00 00 fb000000 fc fb00'), str(value)));
  });

  describe('rows of 16 MiB and more: one payload to writePacket, which the target splits', () => {
    const MAX = 0xffffff;
    const framedPackets = (bytes: Buffer) => {
      const framer = new PacketFramer();
      framer.push(bytes);
      const out = [];
      for (let packet = framer.next(); packet; packet = framer.next()) out.push(packet);
      return out;
    };

    it('a text row over 16 MiB spans two packets; the end packet takes the sequence id after both', () => {
      const value = Buffer.alloc(MAX + 10, 0x61);
      const { writer, target } = writerFor('deprecateEof');
      writer.columns([columns[1]], { statusFlags: AUTOCOMMIT });
      writer.textRow([value]);
      writer.end({ statusFlags: AUTOCOMMIT });
      const row = cat(lenenc(value.length), value);
      assert.equal(target.payloads.length, 4, 'count, definition, row, end: the row is one writePacket call');
      assert.deepEqual(target.payloads[2], row);
      const physical = target.bytes;
      // count (1), definition (2), the row's first 0xffffff bytes (3) and its rest (4), the end (5).
      assert.equal(physical.readUIntLE(target.payloads[0].length + 4 + target.payloads[1].length + 4, 3), MAX);
      const logical = framedPackets(physical);
      assert.deepEqual(
        logical.map((packet) => [packet.sequenceId, packet.lastSequenceId]),
        [[1, 1], [2, 2], [3, 4], [5, 5]],
      );
      assert.deepEqual(logical[2].payload, row);
      assert.deepEqual(logical[3].payload, endOk(AUTOCOMMIT));
    });

    it('a row of exactly 0xffffff bytes is followed by an empty packet', () => {
      const value = Buffer.alloc(MAX - 4, 0x62); // 0xfd + 3 length bytes + value = 0xffffff
      const { writer, target } = writerFor('plain');
      writer.columns([columns[1]], { statusFlags: AUTOCOMMIT });
      writer.textRow([value]);
      writer.end({ statusFlags: AUTOCOMMIT });
      const logical = framedPackets(target.bytes);
      assert.equal(logical[3].payload.length, MAX);
      assert.deepEqual([logical[3].sequenceId, logical[3].lastSequenceId], [4, 5]);
      assert.deepEqual([logical[4].sequenceId, logical[4].payload], [6, eofPayload(AUTOCOMMIT)]);
    });
  });

  it('leaves sequence ids to the target, which may start anywhere and wrap', () => {
    const { writer, target } = writerFor('plain', 0xfe);
    writer.columns(columns, { statusFlags: AUTOCOMMIT });
    writer.end({ statusFlags: AUTOCOMMIT });
    const expected = [hex('02'), defA, defB, eofPayload(AUTOCOMMIT), eofPayload(AUTOCOMMIT)];
    assert.deepEqual(target.bytes, packets(0xfe, ...expected));
    assert.deepEqual(
      framedSequenceIds(target.bytes),
      [0xfe, 0xff, 0x00, 0x01, 0x02],
    );
  });

  describe('started and complete', () => {
    it('started is false until the first packet, complete once the response has ended', () => {
      const { writer } = writerFor('plain');
      assert.deepEqual([writer.started, writer.complete], [false, false]);
      writer.columns(columns, { statusFlags: AUTOCOMMIT });
      assert.deepEqual([writer.started, writer.complete], [true, false]);
      writer.textRow([1, 'x']);
      assert.deepEqual([writer.started, writer.complete], [true, false]);
      writer.end({ statusFlags: AUTOCOMMIT });
      assert.deepEqual([writer.started, writer.complete], [true, true]);
    });

    it('an OK or an ERR is the whole response', () => {
      const ok = writerFor('plain');
      ok.writer.ok({ statusFlags: AUTOCOMMIT });
      assert.deepEqual([ok.writer.started, ok.writer.complete], [true, true]);
      const error = writerFor('plain');
      error.writer.error(SqlError.of('ER_NO_DB_ERROR'));
      assert.deepEqual([error.writer.started, error.writer.complete], [true, true]);
      assert.deepEqual(error.target.bytes, packets(1, errPayload(1046, '3D000', 'No database selected')));
    });

    it('an ERR can take the place of a result set end (rows already sent)', () => {
      const { writer, target } = writerFor('deprecateEof');
      writer.columns(columns, { statusFlags: AUTOCOMMIT });
      writer.textRow([1, 'x']);
      assert.equal(writer.complete, false, 'an ERR is still well-formed here');
      writer.error(new SqlError(1317, '70100', 'Query execution was interrupted'));
      assert.equal(writer.complete, true);
      assert.deepEqual(target.payloads.at(-1), errPayload(1317, '70100', 'Query execution was interrupted'));
    });

    it('refuses to write past the end of the response', () => {
      const { writer } = writerFor('plain');
      writer.ok({ statusFlags: AUTOCOMMIT });
      assert.throws(() => writer.error(SqlError.of('ER_NO_DB_ERROR')), /while complete/);
      assert.throws(() => writer.ok({ statusFlags: AUTOCOMMIT }), /while complete/);
      assert.throws(() => writer.columns(columns, { statusFlags: AUTOCOMMIT }), /while complete/);
    });

    it('refuses calls out of order, rows of the wrong width or protocol, and column-less results', () => {
      const { writer, target } = writerFor('plain');
      assert.throws(() => writer.textRow([1, 'x']), /while awaiting result/);
      assert.throws(() => writer.end({ statusFlags: AUTOCOMMIT }), /while awaiting result/);
      assert.throws(() => writer.columns([], { statusFlags: AUTOCOMMIT }), RangeError);
      assert.throws(() => writer.columns(columns, { statusFlags: AUTOCOMMIT, metadataFollows: false }), TypeError);
      assert.equal(writer.started, false, 'nothing went out for refused calls');
      writer.columns(columns, { statusFlags: AUTOCOMMIT });
      assert.throws(() => writer.binaryRow([1, 'x']), /while text rows/);
      assert.throws(() => writer.textRow([1]), RangeError);
      assert.throws(() => writer.ok({ statusFlags: AUTOCOMMIT }), /while text rows/);
      assert.equal(target.payloads.length, 4);
    });
  });

  it('writes several results while SERVER_MORE_RESULTS_EXISTS says more follow', () => {
    const { writer, target } = writerFor('plain');
    writer.columns([columns[0]], { statusFlags: AUTOCOMMIT | MORE_RESULTS });
    writer.textRow([1]);
    writer.end({ statusFlags: AUTOCOMMIT | MORE_RESULTS });
    assert.equal(writer.complete, false);
    writer.ok({ affectedRows: 1, statusFlags: AUTOCOMMIT | MORE_RESULTS });
    assert.equal(writer.complete, false);
    writer.columns([columns[0]], { statusFlags: AUTOCOMMIT });
    writer.end({ statusFlags: AUTOCOMMIT });
    assert.equal(writer.complete, true);
    assert.deepEqual(
      target.bytes,
      packets(
        1,
        hex('01'),
        defA,
        eofPayload(AUTOCOMMIT | MORE_RESULTS),
        textRowPayload('1'),
        eofPayload(AUTOCOMMIT | MORE_RESULTS),
        okPayload({ affectedRows: 1, status: AUTOCOMMIT | MORE_RESULTS }),
        hex('01'),
        defA,
        eofPayload(AUTOCOMMIT),
        eofPayload(AUTOCOMMIT),
      ),
    );
  });

  describe('OK packets', () => {
    it('carries affected rows, insert id, status, warnings and info', () => {
      const { writer, target } = writerFor('plain');
      writer.ok({ affectedRows: 3, lastInsertId: 2n ** 64n - 1n, statusFlags: IN_TRANS, warnings: 1, info: 'Records: 3' });
      assert.deepEqual(target.payloads, [okPayload({ affectedRows: 3, lastInsertId: 2n ** 64n - 1n, status: IN_TRANS, warnings: 1, info: 'Records: 3' })]);
      assert.deepEqual(target.payloads[0].subarray(2, 11), hex('fe ffffffffffffffff'));
    });

    it('writes info length-encoded for CLIENT_SESSION_TRACK clients, and session state changes', () => {
      const target = new RecordingTarget(CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SESSION_TRACK);
      const writer = new ResultWriter(target, { mariaDbCapabilities: 0 });
      const changes = hex('01 05 04 74657374');
      const status = AUTOCOMMIT | ServerStatus.SERVER_SESSION_STATE_CHANGED;
      writer.ok({ statusFlags: status, info: '', sessionStateChanges: changes });
      assert.deepEqual(target.payloads, [cat(hex('00 00 00'), u16(status), u16(0), lenencStr(''), lenencStr(changes))]);
    });
  });

  it('reports backpressure: false when the target wants a drain', () => {
    const { writer, target } = writerFor('plain');
    assert.equal(writer.columns(columns, { statusFlags: AUTOCOMMIT }), true);
    target.writable = false;
    assert.equal(writer.textRow([1, 'x']), false);
    target.writable = true;
    assert.equal(writer.end({ statusFlags: AUTOCOMMIT }), true);
    const other = writerFor('plain');
    other.target.writable = false;
    assert.equal(other.writer.columns(columns, { statusFlags: AUTOCOMMIT }), false);
  });

  describe('merged results: definitions and rows taken from a backend', () => {
    const unsignedBigint = columnPayload('n', ColumnType.LONGLONG, { charset: 63, length: 20, flags: ColumnFlags.UNSIGNED });

    it('passes raw definitions and rows through unchanged', () => {
      const { writer, target } = writerFor('deprecateEof');
      writer.columns([unsignedBigint, defB], { statusFlags: AUTOCOMMIT });
      writer.rawRow(textRowPayload('5', 'y'));
      writer.textRow([6n, 'z']);
      writer.end({ statusFlags: AUTOCOMMIT });
      assert.deepEqual(target.payloads, [hex('02'), unsignedBigint, defB, textRowPayload('5', 'y'), textRowPayload('6', 'z'), endOk(AUTOCOMMIT)]);
    });

    it('encodes binary rows by the types of raw definitions', () => {
      const { writer, target } = writerFor('plain');
      writer.columns([unsignedBigint], { statusFlags: AUTOCOMMIT, binary: true });
      writer.binaryRow([2n ** 64n - 1n]);
      writer.rawRow(hex('00 00 0100000000000000'));
      assert.deepEqual(target.payloads.slice(3), [hex('00 00 ffffffffffffffff'), hex('00 00 0100000000000000')]);
    });

    it('reads the types of raw extended-metadata definitions too', () => {
      const extended = columnPayload('d', ColumnType.DOUBLE, { charset: 63, length: 22, decimals: 31, extended: Buffer.alloc(0) });
      const { writer, target } = writerFor('extendedMetadata');
      writer.columns([extended], { statusFlags: AUTOCOMMIT });
      writer.textRow([1e16]);
      assert.deepEqual(target.payloads[3], textRowPayload('1e16'));
    });
  });

  it('reports the session collation for text columns, binary for the rest, unless a column names its own', () => {
    const target = new RecordingTarget(clientFlags('plain'));
    const writer = new ResultWriter(target, { mariaDbCapabilities: 0, textCollation: 224 });
    writer.columns([...columns, { name: 'c', type: ColumnType.STRING, characterSet: 8 }], { statusFlags: AUTOCOMMIT });
    assert.deepEqual(
      target.payloads.slice(1, 4).map((payload) => decodeColumnDefinition(payload).characterSet),
      [63, 224, 8],
    );
  });

  describe('what the existing decoders read back', () => {
    const binaryColumns: ResultColumn[] = [
      { name: 'id', type: ColumnType.LONGLONG, flags: ColumnFlags.UNSIGNED | ColumnFlags.NOT_NULL, schema: 's', table: 't', orgTable: 'tt', orgName: 'oid' },
      { name: 'at', type: ColumnType.DATETIME, decimals: 6 },
      { name: 'j', type: ColumnType.BLOB, extendedFormat: 'json' },
      { name: 'x', type: ColumnType.DOUBLE, decimals: 31 },
    ];
    const values: BinaryValue[] = [2n ** 64n - 1n, '2024-02-29 23:59:59.000001', Buffer.from('{"a":1}'), null];

    for (const flavor of flavors) {
      for (const binary of [false, true]) {
        it(`${flavor}, ${binary ? 'binary' : 'text'}: the response scanner ends on the last packet; definitions, rows and status decode back`, () => {
          const { writer, target } = writerFor(flavor);
          writer.columns(binaryColumns, { statusFlags: AUTOCOMMIT, binary });
          if (binary) writer.binaryRow(values);
          else writer.textRow(values as Array<string | Buffer | bigint | null>);
          writer.end({ statusFlags: IN_TRANS, warnings: 1 });

          const scanner = new ResponseScanner(binary ? ResponseShape.BINARY_RESULT : ResponseShape.RESULT, deprecatesEof(flavor), cachesMetadata(flavor));
          const ends = target.payloads.map((payload) => scanner.packet(payload, payload.length));
          assert.deepEqual(ends, target.payloads.map((_, i) => i === target.payloads.length - 1));
          assert.equal(scanner.statusFlags, IN_TRANS);

          assert.deepEqual(target.payloads[0], columnCountPayload(4, cachesMetadata(flavor) ? 1 : undefined));
          const decoded = target.payloads.slice(1, 5).map((payload) => decodeColumnDefinition(payload, { extendedMetadata: extendsMetadata(flavor) }));
          assert.deepEqual(decoded.map((column) => [column.name, column.type, column.schema, column.orgTable, column.orgName]), [
            ['id', ColumnType.LONGLONG, 's', 'tt', 'oid'],
            ['at', ColumnType.DATETIME, '', '', ''],
            ['j', ColumnType.BLOB, '', '', ''],
            ['x', ColumnType.DOUBLE, '', '', ''],
          ]);
          assert.equal(decoded[2].extendedFormat, extendsMetadata(flavor) ? 'json' : undefined);

          const row = target.payloads[deprecatesEof(flavor) ? 5 : 6];
          if (binary) {
            assert.deepEqual(decodeBinaryRow(row, decoded), values);
          } else {
            assert.deepEqual(decodeTextRow(row, 4), [str('18446744073709551615'), str('2024-02-29 23:59:59.000001'), str('{"a":1}'), null]);
          }
        });
      }
    }
  });

  it('writeSingleValue: one column, one row, the end', () => {
    const { writer, target } = writerFor('deprecateEof');
    writeSingleValue(writer, { name: 'v', type: ColumnType.LONGLONG, columnLength: 21 }, 42n, { statusFlags: IN_TRANS });
    const definition = encodeColumnDefinition({ schema: '', table: '', orgTable: '', name: 'v', orgName: '', characterSet: 63, columnLength: 21, type: ColumnType.LONGLONG, flags: 0, decimals: 0 });
    assert.deepEqual(target.payloads, [hex('01'), definition, textRowPayload('42'), endOk(IN_TRANS)]);
    assert.equal(writer.complete, true);
  });
});

function framedSequenceIds(bytes: Buffer): number[] {
  const ids: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4 + bytes.readUIntLE(offset, 3)) ids.push(bytes[offset + 3]);
  return ids;
}
