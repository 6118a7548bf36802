import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { adminQuery, testMariaDb } from '@cathode/testkit';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Session state (SET, SET NAMES, user variables, USE, temporary tables, multi-statements) belongs
// to the client session, not to the backend connection that happens to serve it. `single` has one
// reactor and one backend connection, so every session provably shares the same MariaDB thread.

let cathode: TestCathode;
let single: TestCathode;

// `single` logs in to MariaDB with a password of its own (root has none), as in production.
const BACKEND_USER = `cathode_${randomBytes(4).toString('hex')}`;
const BACKEND_PASSWORD = randomBytes(12).toString('hex');

before(async () => {
  const mariadb = await testMariaDb();
  await adminQuery(mariadb, `CREATE USER '${BACKEND_USER}'@'%' IDENTIFIED BY '${BACKEND_PASSWORD}'`);
  await adminQuery(mariadb, `GRANT ALL PRIVILEGES ON *.* TO '${BACKEND_USER}'@'%'`);
  cathode = await startTestCathode();
  single = await startTestCathode({
    reactors: 1,
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: BACKEND_USER, password: BACKEND_PASSWORD, pool: { min: 1, max: 1 } }],
  });
  await using(connectDirect(single), (direct) => direct.query('CREATE TABLE t (id INT PRIMARY KEY)'));
});
after(async () => {
  await Promise.all([cathode?.close(), single?.close()]);
  await adminQuery(await testMariaDb(), `DROP USER IF EXISTS '${BACKEND_USER}'@'%'`);
});

type Row = mysql.RowDataPacket;

async function sessionVariables(connection: mysql.Connection): Promise<Record<string, unknown>> {
  const [[row]] = await connection.query<Row[]>(
    'SELECT @@session.sql_mode AS sqlMode, @@session.time_zone AS timeZone, @@character_set_client AS charsetClient, @@character_set_results AS charsetResults, @@collation_connection AS collation, @@autocommit AS autocommit, DATABASE() AS db',
  );
  return { ...row };
}

async function backendThread(connection: mysql.Connection): Promise<number> {
  const [[row]] = await connection.query<Row[]>('SELECT @@pseudo_thread_id AS id');
  return Number(row.id);
}

/** What a brand-new session looks like: MariaDB's own defaults for a fresh connection in the schema. */
async function freshDefaults(target: TestCathode): Promise<Record<string, unknown>> {
  return using(connectDirect(target), sessionVariables);
}

test('SET sql_mode / time_zone / NAMES on session A is visible in A and not in B, on the same backend connection', async () => {
  const defaults = await freshDefaults(single);
  await using(single.connect(), async (a) => {
    await using(single.connect(), async (b) => {
      assert.equal(await backendThread(a), await backendThread(b), 'both sessions are served by the one backend connection');
      await a.query("SET sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES', time_zone = '+05:30'");
      await a.query('SET NAMES latin1');
      const expectedA = { ...defaults, sqlMode: 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES', timeZone: '+05:30', charsetClient: 'latin1', charsetResults: 'latin1', collation: 'latin1_swedish_ci' };
      // Alternate statements: each session must find its own state every time.
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await sessionVariables(a), expectedA);
        assert.deepEqual(await sessionVariables(b), defaults);
      }
      // The settings really apply in A: "x" is an identifier there, a string in B.
      assert.equal((await wireError(a.query('SELECT "x" AS q'))).errno, 1054);
      const [[inB]] = await b.query<Row[]>('SELECT "x" AS q');
      assert.equal(inB.q, 'x');
      const [[tzA]] = await a.query<Row[]>("SELECT DATE_FORMAT(CONVERT_TZ('2000-01-01 00:00:00', @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i') AS utc");
      assert.equal(tzA.utc, '1999-12-31 18:30');
    });
  });
});

test("after A disconnects, a new session B on A's backend connection sees none of A's settings", async () => {
  const defaults = await freshDefaults(single);
  let threadOfA: number;
  await using(single.connect(), async (a) => {
    threadOfA = await backendThread(a);
    await a.query("SET sql_mode = 'ANSI', time_zone = '-03:00', NAMES utf8mb4 COLLATE utf8mb4_bin, autocommit = 0, @v = 'secret'");
    const [[row]] = await a.query<Row[]>('SELECT @v AS v');
    assert.equal(row.v, 'secret');
  });
  await using(single.connect(), async (b) => {
    assert.equal(await backendThread(b), threadOfA!, 'B runs on the connection A used');
    assert.deepEqual(await sessionVariables(b), defaults);
    const [[row]] = await b.query<Row[]>('SELECT @v AS v');
    assert.equal(row.v, null);
  });
});

test('a user variable set in A stays visible in A across many statements, and never reaches B', async () => {
  await using(cathode.connect(), async (a) => {
    await a.query("SET @v = 'mine'");
    await using(cathode.connect(), async (b) => {
      for (let i = 0; i < 5; i++) {
        const [[inA]] = await a.query<Row[]>('SELECT @v AS v');
        const [[executedInA]] = await a.execute<Row[]>('SELECT @v AS v, ? AS i', [i]);
        const [[inB]] = await b.query<Row[]>('SELECT @v AS v');
        assert.equal(inA.v, 'mine');
        assert.equal(executedInA.v, 'mine');
        assert.equal(inB.v, null);
      }
    });
    await a.query('SELECT @v := CONCAT(@v, "!") AS v');
    const [[updated]] = await a.query<Row[]>('SELECT @v AS v');
    assert.equal(updated.v, 'mine!');
  });
});

test('default settings: SET and NAMES leave no trace on the default Cathode either', async () => {
  const defaults = await freshDefaults(cathode);
  for (let i = 0; i < 3; i++) {
    await using(cathode.connect(), async (a) => {
      await a.query("SET sql_mode = 'ANSI', time_zone = '+01:00', NAMES latin1");
      assert.equal((await sessionVariables(a)).sqlMode, 'REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI');
    });
    await using(cathode.connect(), async (b) => assert.deepEqual(await sessionVariables(b), defaults));
  }
});

test("a session without a schema does not inherit the previous session's schema", async () => {
  await using(single.connect({ database: undefined }), async (a) => {
    await a.query(`USE ${single.schema}`);
    const [[inA]] = await a.query<Row[]>('SELECT DATABASE() AS db');
    assert.equal(inA.db, single.schema);
  });
  await using(single.connect({ database: undefined }), async (b) => {
    const [[row]] = await b.query<Row[]>('SELECT DATABASE() AS db');
    assert.equal(row.db, null, 'no schema, as on a fresh MariaDB connection');
    // Unqualified names must not reach the other session's schema either.
    assert.equal((await wireError(b.query('SELECT * FROM t'))).errno, 1046);
  });
  await using(single.connect(), async (c) => {
    const [[row]] = await c.query<Row[]>('SELECT DATABASE() AS db, (SELECT COUNT(*) FROM t) AS n');
    assert.deepEqual({ ...row }, { db: single.schema, n: 0 });
  });
});

test("a failed statement does not pin the session's backend connection", async () => {
  // Before: an ERR's missing status flags read as "autocommit off", so A held the only connection
  // and B waited for it in vain.
  await using(single.connect(), async (a) => {
    await using(single.connect(), async (b) => {
      assert.equal((await wireError(a.query('SELECT * FROM no_such_table'))).errno, 1146);
      const [[row]] = await b.query<Row[]>('SELECT 1 AS ok');
      assert.equal(row.ok, 1);
      assert.equal((await wireError(a.execute('SELECT * FROM no_such_table WHERE 1 = ?', [1]))).errno, 1146);
      const [[again]] = await b.execute<Row[]>('SELECT ? AS ok', [2]);
      assert.equal(again.ok, 2);
    });
  });
});

test('sql_mode keeps IGNORE_SPACE (from the client flag) after another session changed and reverted it', async () => {
  const [[direct]] = await using(connectDirect(single), (connection) => connection.query<Row[]>('SELECT @@sql_mode AS m'));
  assert.match(direct.m, /IGNORE_SPACE/);
  await using(single.connect(), (a) => a.query("SET sql_mode = 'ANSI_QUOTES'"));
  await using(single.connect(), async (b) => {
    const [[row]] = await b.query<Row[]>('SELECT @@sql_mode AS m');
    assert.equal(row.m, direct.m);
  });
  // And after a COM_RESET_CONNECTION of the backend connection (A leaves a transaction open).
  await using(single.connect(), async (a) => {
    await a.query('BEGIN');
    await a.query("SET sql_mode = 'ANSI'");
  });
  await using(single.connect(), async (b) => {
    const [[row]] = await b.query<Row[]>('SELECT @@sql_mode AS m');
    assert.equal(row.m, direct.m);
  });
});

test("a temporary table is A's alone and is gone when A disconnects", async () => {
  await using(single.connect(), async (a) => {
    await a.query('CREATE TEMPORARY TABLE tmp_a (x INT)');
    await a.query('INSERT INTO tmp_a VALUES (1), (2)');
    const [[row]] = await a.query<Row[]>('SELECT COUNT(*) AS n FROM tmp_a');
    assert.equal(row.n, 2);
  });
  await using(single.connect(), async (b) => {
    assert.equal((await wireError(b.query('SELECT * FROM tmp_a'))).errno, 1146);
  });
});

test('multi-statements stay on for a session that asked for them after a connection reset switched them off', async () => {
  // A (no multi-statements) holds the connection in a transaction and disconnects: Cathode resets
  // the connection. The server keeps the multi-statements option across the reset.
  await using(single.connect(), async (a) => {
    await a.query('BEGIN');
    await a.query('SELECT COUNT(*) FROM t');
  });
  await using(single.connect({ multipleStatements: true }), async (b) => {
    const [results] = await b.query('SELECT 1 AS x; SELECT 2 AS y');
    assert.deepEqual(results, [[{ x: 1 }], [{ y: 2 }]]);
  });
  await using(single.connect(), async (c) => {
    assert.equal((await wireError(c.query('SELECT 1; SELECT 2'))).errno, 1064);
  });
});

test('a session that disconnects with autocommit=0 and an open transaction leaves neither behind', async () => {
  await using(single.connect(), async (a) => {
    await a.query('SET autocommit = 0');
    await a.query('INSERT INTO t VALUES (1)');
  });
  await using(single.connect(), async (b) => {
    const [[row]] = await b.query<Row[]>('SELECT @@autocommit AS ac, @@in_transaction AS tx, (SELECT COUNT(*) FROM t) AS n');
    assert.deepEqual({ ...row }, { ac: 1, tx: 0, n: 0 });
  });
});

test('COM_RESET_CONNECTION (mysql2 reset) drops the session state', async () => {
  const defaults = await freshDefaults(cathode);
  await using(cathode.connect(), async (a) => {
    await a.query("SET @v = 1, sql_mode = 'ANSI', time_zone = '+02:00'");
    await (a as unknown as { reset(): Promise<void> }).reset();
    assert.deepEqual(await sessionVariables(a), defaults);
  });
});
