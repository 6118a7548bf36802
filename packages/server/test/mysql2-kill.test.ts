import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// KILL through Cathode (ids are Cathode's connection ids, across reactor threads), and backend
// connections killed under a running statement.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
});
after(() => cathode.close());

/** Waits (by querying, not sleeping) until MariaDB runs a statement containing `marker`; returns its thread id. */
async function backendThreadRunning(marker: string): Promise<number> {
  return using(connectDirect(cathode), async (direct) => {
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const [rows] = await direct.query<Row[]>(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', ?, '%') AND INFO NOT LIKE '%PROCESSLIST%'",
        [marker],
      );
      if (rows.length > 0) return Number(rows[0].id);
    }
    throw new Error(`no backend thread ever ran ${marker}`);
  });
}

/** A session connected to the reactor `same ? of : not of` `other`'s, opening extra connections until one lands there. */
async function connectOnReactor(other: mysql.Connection, same: boolean, spare: mysql.Connection[]): Promise<mysql.Connection> {
  const target = cathode.handle.reactorOf(other.threadId);
  for (let i = 0; i < 20; i++) {
    const connection = await cathode.connect();
    if ((cathode.handle.reactorOf(connection.threadId) === target) === same) return connection;
    spare.push(connection);
  }
  throw new Error('could not place a session on the wanted reactor');
}

/** What MariaDB itself answers when the statement is killed by KILL QUERY (the reference for Cathode). */
async function directKillQueryOutcome(sleepSeconds: number): Promise<unknown> {
  const marker = `direct-${randomBytes(6).toString('hex')}`;
  return using(connectDirect(cathode), async (a) => {
    const running = wireError(a.query(`SELECT SLEEP(${sleepSeconds}) AS slept, '${marker}' AS marker`)).catch((error: Error) => error);
    const thread = await backendThreadRunning(marker);
    await using(connectDirect(cathode), (b) => b.query(`KILL QUERY ${thread}`));
    return running;
  });
}

for (const sameReactor of [true, false]) {
  test(`KILL QUERY from another session of the same user (${sameReactor ? 'same' : 'other'} reactor) interrupts the statement, and the session stays usable`, async () => {
    const expected = await directKillQueryOutcome(30);
    assert.deepEqual(expected, { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' });
    const spare: mysql.Connection[] = [];
    const marker = `cathode-${randomBytes(6).toString('hex')}`;
    try {
      await using(cathode.connect(), async (a) => {
        const b = await connectOnReactor(a, sameReactor, spare);
        spare.push(b);
        const running = wireError(a.query(`SELECT SLEEP(30) AS slept, '${marker}' AS marker`)).catch((error: Error) => error);
        await backendThreadRunning(marker);
        const [killed] = await b.query<mysql.ResultSetHeader>(`KILL QUERY ${a.threadId}`);
        assert.equal(killed.affectedRows, 0);
        const outcome = await running;
        assert.deepEqual(outcome, expected, 'A sees what a killed statement looks like on MariaDB');
        const [[row]] = await a.query<Row[]>('SELECT 1 + 1 AS two');
        assert.equal(row.two, 2);
        const [[executed]] = await a.execute<Row[]>('SELECT ? AS again', ['yes']);
        assert.equal(executed.again, 'yes');
      });
    } finally {
      await Promise.all(spare.map((connection) => connection.end().catch(() => connection.destroy())));
    }
  });
}

test('KILL <unknown id> fails with 1094 like MariaDB', async () => {
  const run = (connection: mysql.Connection) => wireError(connection.query('KILL 987654'));
  const proxied = await using(cathode.connect(), run);
  const direct = await using(connectDirect(cathode), run);
  assert.deepEqual(direct, { errno: 1094, sqlState: 'HY000', message: 'Unknown thread id: 987654' });
  assert.deepEqual(proxied, direct);
  const query = await using(cathode.connect(), (connection) => wireError(connection.query('KILL QUERY 987654')));
  assert.deepEqual(query, direct);
});

test("KILL of another user's session is refused with 1095 and the session runs on", async () => {
  await using(cathode.connect(), async (victim) => {
    await using(cathode.connect({ user: 'sha2', password: 'sha2pass' }), async (other) => {
      for (const sql of [`KILL ${victim.threadId}`, `KILL QUERY ${victim.threadId}`]) {
        assert.deepEqual(await wireError(other.query(sql)), { errno: 1095, sqlState: 'HY000', message: `You are not owner of thread ${victim.threadId}` });
      }
    });
    const [[row]] = await victim.query<Row[]>('SELECT 3 AS three');
    assert.equal(row.three, 3);
  });
});

/** What a session killed with KILL CONNECTION sees, running a statement and idle: the reference is MariaDB's own. */
async function killConnectionOutcome(connect: () => Promise<mysql.Connection>, threadOf: (connection: mysql.Connection) => Promise<number>): Promise<unknown> {
  const marker = `conn-${randomBytes(6).toString('hex')}`;
  return using(connect(), async (killer) => {
    const running = await connect();
    const statement = running.query(`SELECT SLEEP(30), '${marker}'`).then(
      () => 'answered',
      (error: { code?: string; errno?: number; fatal?: boolean }) => ({ code: error.code, errno: error.errno, fatal: error.fatal }),
    );
    await backendThreadRunning(marker);
    await killer.query(`KILL CONNECTION ${await threadOf(running)}`);
    const idle = await connect();
    const closed = new Promise((resolve) => idle.once('error', (error: { code?: string; errno?: number }) => resolve({ code: error.code, errno: error.errno })));
    await killer.query(`KILL CONNECTION ${await threadOf(idle)}`);
    const [[row]] = await killer.query<Row[]>('SELECT 1 AS alive');
    return { running: await statement, idle: await closed, killerAlive: row.alive };
  });
}

test('regression: KILL CONNECTION closes the other session without an error packet, running or idle, as MariaDB 10.11 does', async () => {
  const direct = await killConnectionOutcome(() => connectDirect(cathode), async (connection) => connection.threadId);
  assert.deepEqual(direct, { running: { code: 'PROTOCOL_CONNECTION_LOST', errno: undefined, fatal: true }, idle: { code: 'PROTOCOL_CONNECTION_LOST', errno: undefined }, killerAlive: 1 });
  for (let i = 0; i < 3; i++) {
    // Never the 1317 of its interrupted backend statement either, as if only the query had died.
    assert.deepEqual(await killConnectionOutcome(() => cathode.connect(), async (connection) => connection.threadId), direct);
  }
});

test('KILL QUERY of a session that is idle is a no-op OK', async () => {
  await using(cathode.connect(), async (a) => {
    await using(cathode.connect(), async (b) => {
      await b.query(`KILL QUERY ${a.threadId}`);
      const [[row]] = await a.query<Row[]>('SELECT 5 AS five');
      assert.equal(row.five, 5);
    });
  });
});

test('a backend connection killed mid-statement: the client gets an error and its next statements work', async () => {
  const marker = `backend-${randomBytes(6).toString('hex')}`;
  await using(cathode.connect(), async (a) => {
    const statement = await a.prepare('SELECT ? AS echoed, @@pseudo_thread_id AS backend');
    const [[before]] = (await statement.execute(['before'])) as [Row[], unknown];
    const running = wireError(a.query(`SELECT SLEEP(10), '${marker}'`)).catch((error: Error) => error);
    const thread = await backendThreadRunning(marker);
    await cathode.direct(`KILL CONNECTION ${thread}`);
    const outcome = (await running) as { errno?: number; sqlState?: string; message: string };
    // A server-range errno (Connector/C takes the client-range 2013 from a server for a malformed packet).
    assert.deepEqual([outcome.errno, outcome.sqlState], [1317, '70100'], `an error for the lost statement, got ${JSON.stringify(outcome)}`);
    const [[row]] = await a.query<Row[]>('SELECT 2 + 2 AS four, @@pseudo_thread_id AS backend');
    assert.equal(row.four, 4);
    assert.notEqual(row.backend, thread, 'a new backend connection');
    // The prepared statement is prepared again on the new connection.
    const [[after]] = (await statement.execute(['after'])) as [Row[], unknown];
    assert.equal(after.echoed, 'after');
    assert.notEqual(after.backend, before.backend);
  });
});

test('a backend connection killed inside a transaction ends the session with 1927: the transaction is never silently split', async () => {
  await using(connectDirect(cathode), (direct) => direct.query('CREATE TABLE IF NOT EXISTS tx_kill (id INT PRIMARY KEY)'));
  const marker = `tx-${randomBytes(6).toString('hex')}`;
  await using(cathode.connect(), async (a) => {
    await a.query('BEGIN');
    await a.query('INSERT INTO tx_kill VALUES (1)');
    const running = wireError(a.query(`SELECT SLEEP(10), '${marker}'`)).catch((error: Error) => error);
    const thread = await backendThreadRunning(marker);
    await cathode.direct(`KILL CONNECTION ${thread}`);
    const outcome = (await running) as { errno?: number; sqlState?: string };
    assert.deepEqual([outcome.errno, outcome.sqlState], [1927, '70100']);
    // The session is over: what it would send next (the rest of its transaction, COMMIT) can never run.
    await assert.rejects(a.query('INSERT INTO tx_kill VALUES (2)'));
    await assert.rejects(a.query('COMMIT'));
  });
  const rows = await cathode.direct(`SELECT id FROM ${cathode.schema}.tx_kill`);
  assert.deepEqual(rows, [], 'neither half of the transaction committed');
});

test('regression: a pinned connection lost between statements (backend restarted) fails the next statement and the COMMIT never runs in autocommit', async () => {
  await using(connectDirect(cathode), (direct) => direct.query('CREATE TABLE IF NOT EXISTS tx_split (id INT PRIMARY KEY)'));
  await using(cathode.connect(), async (a) => {
    await a.query('BEGIN');
    await a.query('INSERT INTO tx_split VALUES (1)');
    const [[held]] = await a.query<Row[]>('SELECT @@pseudo_thread_id AS thread');
    await cathode.direct(`KILL CONNECTION ${held.thread}`);
    const insert = await wireError(a.query('INSERT INTO tx_split VALUES (2)'));
    assert.deepEqual([insert.errno, insert.sqlState], [1927, '70100'], JSON.stringify(insert));
    await assert.rejects(a.query('COMMIT'));
  });
  const rows = await cathode.direct(`SELECT id FROM ${cathode.schema}.tx_split`);
  assert.deepEqual(rows, [], 'row 2 was not committed on its own');
});
