import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTruncationsThrow, hex } from '../testing/packet-builders.ts';
import { STMT_PREPARE_OK_LENGTH, decodeComStmtPrepare, decodeStmtPrepareOk, encodeComStmtPrepare, encodeStmtPrepareOk } from './com-stmt-prepare.ts';

describe('COM_STMT_PREPARE', () => {
  it('encodes 0x16 + the statement text', () => {
    assert.deepEqual(encodeComStmtPrepare('SELECT ?'), hex('16 53454c454354203f'));
    assert.equal(decodeComStmtPrepare(hex('16 53454c454354203f')), 'SELECT ?');
    assert.equal(decodeComStmtPrepare(encodeComStmtPrepare('SELECT \'ü\'')), "SELECT 'ü'");
  });
});

describe('COM_STMT_PREPARE_OK', () => {
  const message = { statementId: 0x01020304, columnCount: 2, parameterCount: 0x0301, warnings: 5 };
  const bytes = hex('00 04030201 0200 0103 00 0500');

  it('encodes 12 bytes byte for byte', () => {
    assert.equal(STMT_PREPARE_OK_LENGTH, 12);
    assert.deepEqual(encodeStmtPrepareOk(message), bytes);
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeStmtPrepareOk(bytes), message);
  });

  it('decodes a short form without the reserved byte and warning count', () => {
    assert.deepEqual(decodeStmtPrepareOk(bytes.subarray(0, 9)), { ...message, warnings: 0 });
  });

  it('ignores a trailing metadata-follows byte', () => {
    assert.deepEqual(decodeStmtPrepareOk(Buffer.concat([bytes, hex('01')])), message);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated before the parameter count ends', () => {
    assertTruncationsThrow(bytes, decodeStmtPrepareOk, Array.from({ length: 9 }, (_, i) => i));
  });
});
