import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testMariaDb } from '@cathode/testkit';
import {
  CommandByte,
  ResponseShape,
  decodeStmtPrepareOk,
  encodeComQuery,
  encodeComStmtClose,
  encodeComStmtPrepare,
  encodeExecuteParameters,
  encodeStmtExecute,
  ColumnType,
} from '@cathode/wire';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// Prepared statements under Cathode's own ids, prepared again transparently on whichever backend
// connection serves an execute. One reactor, so all sessions share one pool.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 });
  await using(connectDirect(cathode), async (direct) => {
    await direct.query('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(10,2), tags JSON NULL)');
    await direct.query("INSERT INTO items VALUES (1, 'apple', 1.50, NULL), (2, 'pear', 2.25, '[\"green\"]'), (3, 'plum', 0.99, '[]'), (4, 'ünïcode 😀', 10.00, NULL)");
  });
});
after(() => cathode.close());

test('prepare once, execute many times with different parameters: results match MariaDB', async () => {
  const sql = 'SELECT id, name, price FROM items WHERE id >= ? AND (name LIKE ? OR ? IS NULL) ORDER BY id';
  const params: unknown[][] = [[1, '%', null], [2, 'p%', 'x'], [3, 'nothing', 'x'], [0, '%😀', 'x'], [4, '%', null], [1, null, null]];
  const run = async (connection: mysql.Connection) => {
    const statement = await connection.prepare(sql);
    const results: unknown[] = [];
    for (const values of params) {
      const [rows] = await statement.execute(values as never);
      results.push(rows);
    }
    await statement.close();
    return results;
  };
  const proxied = await using(cathode.connect(), run);
  const direct = await using(connectDirect(cathode), run);
  assert.deepStrictEqual(proxied, direct);
  assert.equal((direct[0] as unknown[]).length, 4);
});

test('statement ids are per client session (1, 2, ...) whatever the backend connection has prepared before', async () => {
  // Warm the pool: earlier sessions prepared statements on the same backend connections.
  for (let i = 0; i < 3; i++) {
    await using(cathode.connect(), async (connection) => {
      for (let j = 0; j < 5; j++) await connection.execute(`SELECT ${j} + ? AS n`, [i]);
    });
  }
  await using(cathode.connect(), async (connection) => {
    const first = await connection.prepare('SELECT ? AS a');
    const second = await connection.prepare('SELECT ? AS b, ? AS c');
    const ids = [first, second].map((statement) => (statement as unknown as { statement: { id: number } }).statement.id);
    assert.deepEqual(ids, [1, 2]);
    assert.deepEqual((await second.execute(['x', 'y']))[0], [{ b: 'x', c: 'y' }]);
    assert.deepEqual((await first.execute([5]))[0], [{ a: 5 }]);
  });
});

test('a statement prepared on one backend connection is re-prepared when another connection serves its execute', async () => {
  const holders: mysql.Connection[] = [];
  try {
    await using(cathode.connect(), async (a) => {
      const statement = await a.prepare('SELECT @@pseudo_thread_id AS backend, ? AS v');
      const [[first]] = (await statement.execute(['one'])) as [Row[], unknown];
      // Other sessions hold idle backend connections in transactions until one holds A's.
      for (let held = false; !held; ) {
        const holder = await cathode.connect();
        holders.push(holder);
        await holder.query('BEGIN');
        const [[row]] = await holder.query<Row[]>('SELECT @@pseudo_thread_id AS backend');
        held = row.backend === first.backend;
        assert.ok(holders.length < 100, 'some session must get the idle connection A used');
      }
      const [[second]] = (await statement.execute(['two'])) as [Row[], unknown];
      assert.notEqual(second.backend, first.backend, 'A is served by another backend connection');
      assert.equal(second.v, 'two');
      await Promise.all(holders.splice(0).map((holder) => holder.end()));
      const [[third]] = (await statement.execute([3])) as [Row[], unknown];
      assert.equal(third.v, 3);
    });
  } finally {
    for (const holder of holders) holder.destroy();
  }
});

test('two sessions executing the same statements concurrently each get their own results', async () => {
  await using(cathode.connect(), async (a) => {
    await using(cathode.connect(), async (b) => {
      const work = (connection: mysql.Connection, label: string) =>
        Promise.all(
          Array.from({ length: 30 }, async (_, i) => {
            const [rows] = await connection.execute<Row[]>('SELECT ? AS who, ? * 2 AS doubled, name FROM items WHERE id = ?', [label, i, (i % 4) + 1]);
            return rows;
          }),
        );
      for (let round = 0; round < 3; round++) {
        const [fromA, fromB] = await Promise.all([work(a, 'a'), work(b, 'b')]);
        fromA.forEach((rows, i) => assert.deepEqual(rows[0], { who: 'a', doubled: i * 2, name: ['apple', 'pear', 'plum', 'ünïcode 😀'][i % 4] }));
        fromB.forEach((rows, i) => assert.deepEqual(rows[0], { who: 'b', doubled: i * 2, name: ['apple', 'pear', 'plum', 'ünïcode 😀'][i % 4] }));
      }
    });
  });
});

test('unprepare, then prepare the same SQL again: a new statement that works', async () => {
  await using(cathode.connect(), async (connection) => {
    const sql = 'SELECT name FROM items WHERE id = ?';
    await connection.execute(sql, [1]);
    connection.unprepare(sql);
    const [rows] = await connection.execute<Row[]>(sql, [2]);
    assert.deepEqual(rows, [{ name: 'pear' }]);
  });
});

test('a prepare that fails reports the same error as MariaDB, and the session carries on', async () => {
  const run = (connection: mysql.Connection) => wireError(connection.prepare('SELECT FROM WHERE ?'));
  const proxied = await using(cathode.connect(), async (connection) => {
    const error = await run(connection);
    const [rows] = await connection.execute<Row[]>('SELECT ? AS ok', [1]);
    assert.deepEqual(rows, [{ ok: 1 }]);
    return error;
  });
  const direct = await using(connectDirect(cathode), run);
  assert.equal(direct.errno, 1064);
  assert.deepEqual(proxied, direct);
});

/** Prepare, execute, close, execute again over the raw protocol: the answers, as MariaDB or Cathode gives them. */
async function closedStatementConversation(client: RawClient): Promise<unknown> {
  const prepared = await client.command(encodeComStmtPrepare('SELECT ? + 1 AS n'), ResponseShape.PREPARE);
  const { statementId, parameterCount } = decodeStmtPrepareOk(prepared[0]);
  const execute = () =>
    client.command(
      encodeStmtExecute({ statementId, flags: 0, iterationCount: 1, ...encodeExecuteParameters([{ type: ColumnType.LONGLONG, value: 41n }]) }),
      ResponseShape.BINARY_RESULT,
    );
  const before = await execute();
  client.send(encodeComStmtClose(statementId));
  const afterClose = RawClient.errorOf(await execute());
  // The connection is still fine.
  const query = await client.command(encodeComQuery('SELECT 7'), ResponseShape.RESULT);
  return { parameterCount, executedBefore: RawClient.errorOf(before) === undefined, afterClose: afterClose && { ...afterClose, message: afterClose.message.replace(`(${statementId})`, '(ID)') }, queryOk: RawClient.errorOf(query) === undefined };
}

test('executing a closed statement fails with 1243, as on MariaDB', async () => {
  const mariadb = await testMariaDb();
  const proxied = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema });
  const direct = await RawClient.connect({ port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, database: cathode.schema });
  try {
    const viaCathode = await closedStatementConversation(proxied);
    const viaMariaDb = await closedStatementConversation(direct);
    assert.deepEqual(viaCathode, viaMariaDb);
    assert.equal((viaMariaDb as { afterClose: { errno: number } }).afterClose.errno, 1243);
  } finally {
    proxied.close();
    direct.close();
  }
});

test('COM_STMT_CLOSE for an unknown id gets no answer (the next command is answered normally)', async () => {
  const client = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema });
  try {
    client.send(Buffer.from([CommandByte.COM_STMT_CLOSE, 0x39, 0x05, 0, 0]));
    const response = await client.command(encodeComQuery('SELECT 1'), ResponseShape.RESULT);
    assert.equal(RawClient.errorOf(response), undefined);
  } finally {
    client.close();
  }
});
