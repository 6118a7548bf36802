import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnType } from '../constants/column-type.ts';
import { CommandByte } from '../constants/command-byte.ts';
import { ServerStatus } from '../constants/server-status.ts';
import { ResponseScanner } from '../response/response-scanner.ts';
import { ResponseShape, responseShapeOf } from '../response/response-shape.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, assertTruncationsThrow, cat, columnCountPayload, columnPayload, eofPayload, errPayload, hex, okPayload, u64 } from '../testing/packet-builders.ts';
import {
  BulkExecuteFlags,
  BulkIndicator,
  type StmtBulkExecute,
  bulkParameterTypes,
  decodeBulkRows,
  decodeStmtBulkExecute,
  encodeBulkRows,
  encodeStmtBulkExecute,
  stmtBulkExecuteFlags,
} from './com-stmt-bulk-execute.ts';

const types = hex('0300 fd00');
// Row 1: 42, 'hi'. Row 2: NULL, DEFAULT. Row 3: -1, IGNORE.
const rows = hex('00 2a000000 00 02 6869' + '01 02' + '00 ffffffff 03');
const withTypes: StmtBulkExecute = { statementId: 1, flags: BulkExecuteFlags.SEND_TYPES_TO_SERVER, parameterTypes: types, rows };
const withTypesBytes = cat(hex('fa 01000000 8000 0300 fd00'), rows);

describe('COM_STMT_BULK_EXECUTE', () => {
  it('encodes the rows: an indicator byte per parameter, the binary value only after NONE', () => {
    const values = [
      [42, 'hi'],
      [null, { indicator: BulkIndicator.DEFAULT }],
      [-1, { indicator: BulkIndicator.IGNORE }],
    ] as const;
    assert.deepEqual(encodeBulkRows(types, values), rows);
  });

  it('decodes the rows back with the types in force', () => {
    assert.deepEqual(decodeBulkRows(rows, types), [
      [42, Buffer.from('hi')],
      [null, { indicator: BulkIndicator.DEFAULT }],
      [-1, { indicator: BulkIndicator.IGNORE }],
    ]);
  });

  it('reads unsigned BIGINTs beyond 2^53 exactly (type flag 0x80)', () => {
    const unsigned = hex('0880');
    const encoded = encodeBulkRows(unsigned, [[2n ** 64n - 1n], [2n ** 53n + 1n]]);
    assert.deepEqual(encoded, cat([0x00], u64(2n ** 64n - 1n), [0x00], u64(2n ** 53n + 1n)));
    assert.deepEqual(decodeBulkRows(encoded, unsigned), [[2n ** 64n - 1n], [2n ** 53n + 1n]]);
  });

  it('encodes with SEND_TYPES_TO_SERVER byte for byte: 0xfa, id, 2-byte flags, (type, flags) pairs, rows', () => {
    assert.deepEqual(encodeStmtBulkExecute(withTypes), withTypesBytes);
    assert.deepEqual(decodeStmtBulkExecute(withTypesBytes, 2), withTypes);
  });

  it('encodes and decodes without types (the server uses those it remembers)', () => {
    const message: StmtBulkExecute = { statementId: 0xffffffff, flags: 0, parameterTypes: undefined, rows };
    const bytes = cat(hex('fa ffffffff 0000'), rows);
    assert.deepEqual(encodeStmtBulkExecute(message), bytes);
    assert.deepEqual(decodeStmtBulkExecute(bytes, 2), message);
  });

  it('keeps SEND_UNIT_RESULTS in the flags', () => {
    const message: StmtBulkExecute = { ...withTypes, flags: BulkExecuteFlags.SEND_TYPES_TO_SERVER | BulkExecuteFlags.SEND_UNIT_RESULTS };
    const bytes = encodeStmtBulkExecute(message);
    assert.deepEqual(bytes.subarray(0, 7), hex('fa 01000000 c000'));
    assert.equal(stmtBulkExecuteFlags(bytes), 0xc0);
    assert.deepEqual(decodeStmtBulkExecute(bytes, 2), message);
  });

  it('refuses to encode types without the flag, or the flag without types', () => {
    assert.throws(() => encodeStmtBulkExecute({ ...withTypes, flags: 0 }), TypeError);
    assert.throws(() => encodeStmtBulkExecute({ ...withTypes, parameterTypes: undefined }), TypeError);
  });

  it('finds the parameter types as a view, without decoding the rows', () => {
    const found = bulkParameterTypes(withTypesBytes, 2);
    assert.deepEqual(found, types);
    assert.equal(found?.buffer, withTypesBytes.buffer);
    assert.equal(bulkParameterTypes(cat(hex('fa 01000000 0000'), rows), 2), undefined);
  });

  it('a truncated command is a protocol violation', () => {
    assertTruncationsThrow(withTypesBytes, (payload) => decodeStmtBulkExecute(payload, 2), [0, 1, 4, 6, 7, 9]);
    assertCathodeError(() => bulkParameterTypes(hex('fa 01000000 80'), 2), PROTOCOL_VIOLATION);
    assertCathodeError(() => bulkParameterTypes(hex('fa 01000000 8000 0300'), 2), PROTOCOL_VIOLATION);
    assertCathodeError(() => decodeStmtBulkExecute(hex('17 01000000 8000'), 0), PROTOCOL_VIOLATION);
  });

  it('a row cut short, or an unknown indicator, is a protocol violation', () => {
    assertCathodeError(() => decodeBulkRows(hex('00 2a00'), hex('0300')), PROTOCOL_VIOLATION);
    assertCathodeError(() => decodeBulkRows(hex('04'), hex('0300')), PROTOCOL_VIOLATION);
    assert.throws(() => encodeBulkRows(types, [[1]]), TypeError);
  });
});

describe('COM_STMT_BULK_EXECUTE responses', () => {
  const scanAll = (payloads: Buffer[], deprecateEof: boolean): ResponseScanner => {
    const scanner = new ResponseScanner(responseShapeOf(CommandByte.COM_STMT_BULK_EXECUTE), deprecateEof);
    payloads.forEach((payload, i) => assert.equal(scanner.packet(payload, payload.length), i === payloads.length - 1, `packet ${i} ends the response?`));
    return scanner;
  };

  it('scan as binary results', () => {
    assert.equal(responseShapeOf(CommandByte.COM_STMT_BULK_EXECUTE), ResponseShape.BINARY_RESULT);
  });

  it('MariaDB 10.11: one OK with the summed affected rows and the first insert id', () => {
    const scanner = scanAll([okPayload({ affectedRows: 10000, lastInsertId: 1, status: ServerStatus.SERVER_STATUS_AUTOCOMMIT })], true);
    assert.equal(scanner.failed, false);
    assert.equal(scanner.affectedRows, 10000);
    assert.equal(scanner.lastInsertId, 1);
  });

  it('an ERR ends it', () => {
    assert.equal(scanAll([errPayload(1062, '23000', "Duplicate entry '1' for key 'PRIMARY'")], true).failed, true);
  });

  for (const deprecateEof of [true, false]) {
    it(`unit results (SEND_UNIT_RESULTS): a binary result set of ids and affected rows ends at its terminator (deprecateEof=${deprecateEof})`, () => {
      const row = (id: number, affected: number) => cat([0x00, 0x00], u64(BigInt(id)), u64(BigInt(affected)));
      const columns = [columnCountPayload(2), columnPayload('Id', ColumnType.LONGLONG), columnPayload('Affected_rows', ColumnType.LONGLONG)];
      const terminator = deprecateEof ? okPayload({ status: ServerStatus.SERVER_STATUS_AUTOCOMMIT }, 0xfe) : eofPayload(ServerStatus.SERVER_STATUS_AUTOCOMMIT);
      const payloads = [...columns, ...(deprecateEof ? [] : [eofPayload(ServerStatus.SERVER_STATUS_AUTOCOMMIT)]), row(1, 1), row(2, 1), terminator];
      const scanner = scanAll(payloads, deprecateEof);
      assert.equal(scanner.failed, false);
      assert.equal(scanner.rows, 2);
      assert.equal(scanner.statusFlags, ServerStatus.SERVER_STATUS_AUTOCOMMIT);
    });
  }
});
