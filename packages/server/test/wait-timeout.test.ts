import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
});
after(() => cathode.close());

/** What a client whose session set wait_timeout = 1 sees once idle: the server ends the connection. */
async function idleOutcome(connection: mysql.Connection): Promise<{ closedByServer: boolean; value: number }> {
  // MariaDB ends it with a FIN or a reset, as it happens; either is "the server closed the connection".
  const closed = new Promise<boolean>((resolve) => connection.once('error', (error: { code?: string }) => resolve(error.code === 'PROTOCOL_CONNECTION_LOST' || error.code === 'ECONNRESET')));
  await connection.query('SET SESSION wait_timeout = 1');
  const [[row]] = await connection.query<Row[]>('SELECT @@wait_timeout AS value');
  return { closedByServer: await closed, value: Number(row.value) };
}

test('regression: a session that sets wait_timeout = 1 is closed once idle that long, as MariaDB does; others are not', async () => {
  const direct = await idleOutcome(await connectDirect(cathode));
  assert.deepEqual(direct, { closedByServer: true, value: 1 });
  const bystander = await cathode.connect();
  assert.deepEqual(await idleOutcome(await cathode.connect()), direct);
  const [[row]] = await bystander.query<Row[]>('SELECT 1 AS alive');
  assert.equal(row.alive, 1);
  await bystander.end();
});
