import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Transactions hold one backend connection from their first statement to COMMIT/ROLLBACK (pinning);
// multi-statement queries return every result to the client.

let cathode: TestCathode;

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), (direct) => direct.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB'));
});
after(() => cathode.close());

async function directIds(): Promise<number[]> {
  return using(connectDirect(cathode), async (direct) => {
    const [rows] = await direct.query<mysql.RowDataPacket[]>('SELECT id FROM t ORDER BY id');
    return rows.map((row) => row.id as number);
  });
}

async function clear(): Promise<void> {
  await using(connectDirect(cathode), (direct) => direct.query('DELETE FROM t'));
}

test('BEGIN ... COMMIT persists the rows', async () => {
  await clear();
  await using(cathode.connect(), async (connection) => {
    await connection.query('BEGIN');
    await connection.query("INSERT INTO t VALUES (1, 'a')");
    await connection.execute('INSERT INTO t VALUES (?, ?)', [2, 'b']);
    assert.deepEqual(await directIds(), [], 'uncommitted rows are not visible outside');
    await connection.query('COMMIT');
  });
  assert.deepEqual(await directIds(), [1, 2]);
});

test('START TRANSACTION ... ROLLBACK undoes every statement of the transaction', async () => {
  await clear();
  await using(cathode.connect(), async (connection) => {
    await connection.query("INSERT INTO t VALUES (1, 'kept')");
    await connection.query('START TRANSACTION');
    await connection.query("INSERT INTO t VALUES (2, 'x')");
    await connection.query("UPDATE t SET v = 'changed' WHERE id = 1");
    const [[inside]] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM t');
    assert.equal(inside.n, 2, 'the transaction sees its own rows');
    await connection.query('ROLLBACK');
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT id, v FROM t');
    assert.deepEqual(rows, [{ id: 1, v: 'kept' }]);
  });
  assert.deepEqual(await directIds(), [1]);
});

test('mysql2 beginTransaction/commit/rollback helpers', async () => {
  await clear();
  await using(cathode.connect(), async (connection) => {
    await connection.beginTransaction();
    await connection.execute('INSERT INTO t VALUES (?, ?)', [10, 'ten']);
    await connection.rollback();
    await connection.beginTransaction();
    await connection.execute('INSERT INTO t VALUES (?, ?)', [11, 'eleven']);
    await connection.commit();
  });
  assert.deepEqual(await directIds(), [11]);
});

test('autocommit=0: statements stay in a transaction until COMMIT, a ROLLBACK discards them', async () => {
  await clear();
  await using(cathode.connect(), async (connection) => {
    await connection.query('SET autocommit = 0');
    await connection.query("INSERT INTO t VALUES (1, 'one')");
    assert.deepEqual(await directIds(), []);
    await connection.query('COMMIT');
    assert.deepEqual(await directIds(), [1]);
    await connection.query("INSERT INTO t VALUES (2, 'two')");
    await connection.query('ROLLBACK');
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT @@autocommit AS ac');
    assert.equal(row.ac, 0);
    await connection.query('SET autocommit = 1');
    await connection.query("INSERT INTO t VALUES (3, 'three')");
  });
  assert.deepEqual(await directIds(), [1, 3]);
});

test("a transaction's uncommitted row is invisible to another Cathode session, and visible after COMMIT", async () => {
  await clear();
  await using(cathode.connect(), async (a) => {
    await using(cathode.connect(), async (b) => {
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (7, 'mine')");
      // Many statements from both sessions: A must keep its own connection throughout.
      for (let i = 0; i < 10; i++) {
        const [[seenByA]] = await a.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM t WHERE id = 7');
        const [[seenByB]] = await b.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM t WHERE id = 7');
        assert.equal(seenByA.n, 1, 'A sees its uncommitted row');
        assert.equal(seenByB.n, 0, "B does not see A's uncommitted row");
      }
      await a.query('COMMIT');
      const [[afterCommit]] = await b.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM t WHERE id = 7');
      assert.equal(afterCommit.n, 1);
    });
  });
});

test('a client that disconnects mid-transaction has its transaction rolled back', async () => {
  await clear();
  const connection = await cathode.connect();
  await connection.query('BEGIN');
  await connection.query("INSERT INTO t VALUES (99, 'orphan')");
  await connection.end();
  // The next session may get the same backend connection: it must not inherit the open transaction.
  await using(cathode.connect(), async (next) => {
    const [[row]] = await next.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n, @@in_transaction AS inTx FROM t');
    assert.deepEqual({ n: Number(row.n), inTx: Number(row.inTx) }, { n: 0, inTx: 0 });
  });
  assert.deepEqual(await directIds(), []);
});

test('multi-statements: several result sets and an OK from one query', async () => {
  await clear();
  await using(cathode.connect({ multipleStatements: true }), async (connection) => {
    const [results] = await connection.query("SELECT 1 AS a; INSERT INTO t VALUES (5, 'five'), (6, 'six'); SELECT id, v FROM t ORDER BY id; SELECT 'x' AS b, 2 AS c");
    const list = results as unknown as [mysql.RowDataPacket[], mysql.ResultSetHeader, mysql.RowDataPacket[], mysql.RowDataPacket[]];
    assert.equal(list.length, 4);
    assert.deepEqual(list[0], [{ a: 1 }]);
    assert.equal(list[1].affectedRows, 2);
    assert.deepEqual(list[2], [{ id: 5, v: 'five' }, { id: 6, v: 'six' }]);
    assert.deepEqual(list[3], [{ b: 'x', c: 2 }]);
    // The connection is in a clean state afterwards.
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT 42 AS answer');
    assert.equal(row.answer, 42);
  });
});

test('multi-statements: an error in the middle ends the response, like MariaDB', async () => {
  const run = (connection: mysql.Connection) => wireError(connection.query('SELECT 1; SELECT * FROM no_such_table; SELECT 3'));
  const proxied = await using(cathode.connect({ multipleStatements: true }), async (connection) => {
    const error = await run(connection);
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT 4 AS four');
    assert.equal(row.four, 4);
    return error;
  });
  const direct = await using(connectDirect(cathode, { multipleStatements: true }), run);
  assert.deepEqual(proxied, direct);
  assert.equal(direct.errno, 1146);
});

test("without multipleStatements, 'SELECT 1; SELECT 2' fails with the same syntax error as MariaDB's", async () => {
  const run = (connection: mysql.Connection) => wireError(connection.query('SELECT 1; SELECT 2'));
  const proxied = await using(cathode.connect(), async (connection) => {
    const error = await run(connection);
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS still');
    assert.equal(row.still, 1);
    return error;
  });
  const direct = await using(connectDirect(cathode), run);
  assert.equal(direct.errno, 1064);
  assert.deepEqual(proxied, direct);
});

test('sessions with and without multi-statements share backend connections without leaking the option', async () => {
  // Alternate: every multi session must get multi-statements, every single session must not.
  for (let i = 0; i < 4; i++) {
    await using(cathode.connect({ multipleStatements: true }), async (connection) => {
      const [results] = await connection.query('SELECT 1 AS x; SELECT 2 AS y');
      assert.equal((results as unknown[]).length, 2);
    });
    await using(cathode.connect(), async (connection) => {
      assert.equal((await wireError(connection.query('SELECT 1; SELECT 2'))).errno, 1064);
    });
  }
});
