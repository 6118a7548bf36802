import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ColumnType, decodeStmtPrepareOk, encodeComStmtPrepare, encodeStmtExecute, encodeStmtSendLongData, framePayload } from '@cathode/wire';
import { type RawConnection, login, prepare, readResponse } from './support/raw-mysql.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// The prepared-statement protocol at the byte level: what drivers do that mysql2 does not.

const MAX_ALLOWED_PACKET = 64 * 1024;
let cathode: TestCathode;

before(async () => {
  cathode = await startTestCathode({ maxAllowedPacket: MAX_ALLOWED_PACKET });
});
after(() => cathode.close());

async function session(): Promise<RawConnection> {
  return (await login(cathode.port, { user: 'cathode', password: 'cathode', database: cathode.schema })).connection;
}

/** A PREPARE response: PREPARE_OK, then the definitions, each list ended by EOF. */
async function readPrepareResponse(connection: RawConnection): Promise<{ parameterCount: number; columnCount: number }> {
  const first = await connection.next();
  assert.ok(first && first.payload[0] === 0x00, 'PREPARE_OK');
  const ok = decodeStmtPrepareOk(first.payload);
  for (const count of [ok.parameterCount, ok.columnCount]) {
    if (count === 0) continue;
    for (let i = 0; i <= count; i++) await connection.next();
  }
  return ok;
}

/** COM_STMT_EXECUTE with one parameter whose value came as long data (bound type VARCHAR, no value bytes). */
function executeWithLongData(statementId: number): Buffer {
  return encodeStmtExecute({ statementId, flags: 0, iterationCount: 1, nullBitmap: Buffer.of(0), newParamsBound: true, parameterTypes: Buffer.of(ColumnType.VAR_STRING, 0), values: Buffer.alloc(0) });
}

test('regression: MariaDB\'s "last prepared statement" id 0xFFFFFFFF, pipelined right behind its COM_STMT_PREPARE', async () => {
  const connection = await session();
  try {
    const prepareBytes = framePayload(encodeComStmtPrepare('SELECT 40 + 2 AS answer'), 0).bytes;
    const executeBytes = framePayload(encodeStmtExecute({ statementId: 0xffffffff, flags: 0, iterationCount: 1, nullBitmap: Buffer.alloc(0), newParamsBound: false, parameterTypes: undefined, values: Buffer.alloc(0) }), 0).bytes;
    connection.write(Buffer.concat([prepareBytes, executeBytes]));
    const prepared = await readPrepareResponse(connection);
    assert.deepEqual([prepared.parameterCount, prepared.columnCount], [0, 1]);
    const executed = await readResponse(connection);
    assert.equal(executed.kind, 'rows');
    assert.equal(executed.kind === 'rows' && executed.rows.length, 1);
  } finally {
    connection.destroy();
  }
});

test('regression: COM_STMT_SEND_LONG_DATA beyond maxAllowedPacket is not kept; the execute is refused with 1153 and the statement works again after', async () => {
  const connection = await session();
  try {
    const { statementId } = await prepare(connection, 'SELECT LENGTH(?) AS n');
    const piece = Buffer.alloc(8 * 1024, 'x');
    for (let i = 0; i < 20; i++) connection.send(encodeStmtSendLongData({ statementId, parameterId: 0, data: piece }), 0);
    connection.send(executeWithLongData(statementId), 0);
    const refused = await readResponse(connection);
    assert.deepEqual(refused.kind === 'error' && refused.errno, 1153);
    connection.send(encodeStmtSendLongData({ statementId, parameterId: 0, data: piece }), 0);
    connection.send(executeWithLongData(statementId), 0);
    const answered = await readResponse(connection);
    assert.equal(answered.kind, 'rows', JSON.stringify(answered));
  } finally {
    connection.destroy();
  }
});
