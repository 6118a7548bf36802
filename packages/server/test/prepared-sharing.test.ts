import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Many clients funnelled into few backend connections share each connection's prepared statements:
// an execute served by another connection finds the statement there instead of preparing it again.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;
const POOL_MAX = 4;
const CLIENTS = 40;
const EXECUTES = 15;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 }, { min: 0, max: POOL_MAX });
});
after(() => cathode.close());

async function statementCounters(): Promise<{ prepares: number; closes: number; executes: number }> {
  const rows = (await cathode.direct("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_close', 'Com_stmt_execute')")) as Row[];
  const value = (name: string) => Number(rows.find((row) => row.Variable_name === name)?.Value ?? 0);
  return { prepares: value('Com_stmt_prepare'), closes: value('Com_stmt_close'), executes: value('Com_stmt_execute') };
}

test(`${CLIENTS} clients executing one statement over ${POOL_MAX} backend connections prepare it about once per connection`, async () => {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => cathode.connect()));
  const before = await statementCounters();
  await Promise.all(
    clients.map(async (client, index) => {
      for (let i = 0; i < EXECUTES; i++) {
        const [[row]] = await client.execute<Row[]>('SELECT ? + 1 AS n, ? AS who', [i, index]);
        assert.deepEqual([Number(row.n), Number(row.who)], [i + 1, index]);
      }
    }),
  );
  const delta = await statementCounters();
  await Promise.all(clients.map((client) => client.end()));
  const executes = delta.executes - before.executes;
  const prepares = delta.prepares - before.prepares;
  assert.equal(executes, CLIENTS * EXECUTES);
  // Each client's own prepare reaches a backend only when its connection lacks the statement.
  assert.ok(prepares <= POOL_MAX * 2, `${prepares} backend prepares for ${CLIENTS} client prepares and ${executes} executes`);
  assert.ok(delta.closes - before.closes <= POOL_MAX * 2, `${delta.closes - before.closes} backend closes`);
});
