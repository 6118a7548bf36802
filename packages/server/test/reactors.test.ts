import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Two reactor threads: sessions are spread over both, and one reactor dying takes only its own
// sessions with it while the rest of Cathode carries on.

let cathode: TestCathode;
const opened: mysql.Connection[] = [];

before(async () => {
  cathode = await startTestCathode({ reactors: 2 });
});
after(async () => {
  for (const connection of opened) connection.destroy();
  await cathode?.close();
});

async function connect(): Promise<mysql.Connection> {
  const connection = await cathode.connect();
  // A session that dies with its reactor makes mysql2 emit 'error' on the connection; that is expected here.
  connection.on('error', () => {});
  opened.push(connection);
  return connection;
}

async function selectOne(connection: mysql.Connection, value: number): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT ? AS v', [value]);
  return Number(rows[0].v);
}

/**
 * Retries `attempt` until it resolves, a bounded number of times: what it waits for (a replacement
 * reactor starting, a close reaching the main thread) is another thread's business.
 */
async function eventually<T>(attempt: () => Promise<T>, tries = 400): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw lastError;
}

test('sessions spread over both reactors, and a dead reactor takes only its own sessions', { timeout: 60_000 }, async () => {
  const connections: mysql.Connection[] = [];
  for (let i = 0; i < 6; i++) connections.push(await connect());

  // mysql2's threadId is the connection id from Cathode's handshake.
  const ids = connections.map((connection) => connection.threadId);
  assert.equal(new Set(ids).size, 6, `connection ids are not unique: ${ids.join(', ')}`);
  const reactorOf = ids.map((id) => cathode.handle.reactorOf(id));
  assert.deepEqual([...reactorOf].sort(), [0, 0, 0, 1, 1, 1], `placement: ${reactorOf.join(', ')}`);
  assert.deepEqual(cathode.handle.sessionCounts(), [3, 3]);
  for (const [i, connection] of connections.entries()) assert.equal(await selectOne(connection, i), i);

  const onDead = connections.filter((_, i) => reactorOf[i] === 0);
  const onLive = connections.filter((_, i) => reactorOf[i] === 1);
  // State that must survive on reactor 1: an open transaction and a prepared statement.
  await onLive[0].query('CREATE TABLE survivors (id INT PRIMARY KEY) ENGINE=InnoDB');
  await onLive[0].beginTransaction();
  await onLive[0].query('INSERT INTO survivors VALUES (1)');
  const [prepared] = await onLive[1].execute<mysql.RowDataPacket[]>('SELECT ? + 1 AS n', [1]);
  assert.equal(Number(prepared[0].n), 2);
  // A statement in flight on reactor 0 when it dies.
  const inFlight = onDead[0].query('SELECT SLEEP(5)').then(
    () => 'answered',
    (error: Error) => error,
  );

  await cathode.handle.terminateReactor(0);

  // Every session of reactor 0 is gone: the running statement fails, the idle ones are closed.
  const outcome = await inFlight;
  assert.ok(outcome instanceof Error, `the statement on the dead reactor was ${String(outcome)}`);
  for (const connection of onDead) await assert.rejects(selectOne(connection, 7));
  for (const id of ids.filter((_, i) => reactorOf[i] === 0)) assert.equal(cathode.handle.reactorOf(id), undefined);
  assert.equal(cathode.handle.sessionCounts()[0], 0);

  // Reactor 1's sessions carry on, state and all.
  for (const [i, connection] of onLive.entries()) assert.equal(await selectOne(connection, 100 + i), 100 + i);
  const [[inside]] = await onLive[0].query<mysql.RowDataPacket[]>('SELECT @@in_transaction AS t, COUNT(*) AS n FROM survivors');
  assert.deepEqual({ t: Number(inside.t), n: Number(inside.n) }, { t: 1, n: 1 });
  await onLive[0].commit();
  const [again] = await onLive[1].execute<mysql.RowDataPacket[]>('SELECT ? + 1 AS n', [41]);
  assert.equal(Number(again[0].n), 42);
  assert.deepEqual(cathode.handle.sessionCounts(), [0, 3]);

  // The replacement reactor 0 serves new sessions (the emptier reactor gets them).
  // Until the replacement is ready, new sessions go to reactor 1 (a starting reactor gets no sockets).
  const fresh = await eventually(async () => {
    const connection = await connect();
    assert.equal(await selectOne(connection, 5), 5);
    if (cathode.handle.reactorOf(connection.threadId) !== 0) {
      await connection.end();
      // Gone from the counts before the next try, so placement sees the real numbers.
      await eventually(async () => assert.equal(cathode.handle.reactorOf(connection.threadId), undefined));
      throw new Error('the replacement reactor is not serving yet');
    }
    return connection;
  });
  assert.equal(cathode.handle.reactorOf(fresh.threadId), 0);
  const [[committed]] = await fresh.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM survivors');
  assert.equal(Number(committed.n), 1);
  const more = [await connect(), await connect()];
  for (const connection of more) assert.equal(await selectOne(connection, 9), 9);
  assert.deepEqual(cathode.handle.sessionCounts(), [3, 3]);

  // Closing sessions is reflected in the counts on both reactors.
  for (const connection of [fresh, ...more, ...onLive]) await connection.end();
  assert.deepEqual(
    await eventually(async () => {
      const counts = cathode.handle.sessionCounts();
      assert.deepEqual(counts, [0, 0]);
      return counts;
    }),
    [0, 0],
  );
});
