import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ensureSysbenchInstalled } from '@cathode/testkit';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// More clients than pooled backend connections: with the default pool (64 per reactor, two
// reactors here) statements queue for a connection. Regression: queued checkouts gave up after
// connectMs (5 s) with 1429, which killed 317 of 1,000 sysbench threads; they now wait
// timeouts.poolWaitMs (60 s), in arrival order.

const THREADS = 1000;
const TABLES = 8;
const TABLE_SIZE = 10_000;
const EVENTS = 3_000;

const options = [`--tables=${TABLES}`, `--table-size=${TABLE_SIZE}`, '--db-driver=mysql', '--mysql-host=127.0.0.1'];

let cathode: TestCathode;

before(async () => {
  await ensureSysbenchInstalled();
  cathode = await startTestCathode();
});
after(async () => {
  await cathode?.close();
});

function sysbench(workload: string, args: string[]): Promise<{ code: number; output: string }> {
  const target = [`--mysql-port=${cathode.port}`, '--mysql-user=cathode', '--mysql-password=cathode', `--mysql-db=${cathode.schema}`];
  return new Promise((resolve, reject) => {
    execFile('sysbench', [workload, ...options, ...target, ...args], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? (error.code as number) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** Connection attempts MariaDB has seen since it started. */
async function connectionsToMariaDb(): Promise<number> {
  const [row] = (await cathode.direct("SHOW GLOBAL STATUS LIKE 'Connections'")) as Array<{ Value: string }>;
  return Number(row.Value);
}

function count(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  assert.ok(match, `no ${pattern} in sysbench output:\n${output.slice(-4000)}`);
  return Number(match[1]);
}

test('statements queued behind a full pool for longer than connectMs are served, not refused', async () => {
  const POOL_MAX = 64;
  const REACTORS = 2;
  // A quarter more clients than connections: every reactor gets some that must queue.
  const clients = await Promise.all(Array.from({ length: (POOL_MAX * REACTORS * 5) / 4 }, () => cathode.connect()));
  try {
    // Each statement holds its connection longer than connectMs (5 s), so the queued ones wait longer than that.
    const results = await Promise.allSettled(clients.map((client, index) => client.query('SELECT SLEEP(6) AS slept, ? AS n', [index])));
    const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason.message);
    assert.deepEqual(refused, []);
    assert.deepEqual(
      results.map((result) => (result as PromiseFulfilledResult<[Array<{ n: number }>, unknown]>).value[0][0].n),
      clients.map((_, index) => index),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
});

test('a statement that waits longer than timeouts.poolWaitMs gets 1429 naming the wait, and the pool serves the next one', async () => {
  const small = await startTestCathode({
    timeouts: { poolWaitMs: 1000 },
    backends: [{ name: 'primary', host: cathode.mariadb.host, port: cathode.mariadb.port, user: cathode.mariadb.adminUser, password: cathode.mariadb.adminPassword, pool: { min: 1, max: 1 } }],
    reactors: 1,
  });
  const [holder, waiter] = await Promise.all([small.connect(), small.connect()]);
  try {
    // An open transaction pins the pool's only connection to the holder.
    await holder.query('BEGIN');
    await holder.query('SELECT 1');
    await assert.rejects(waiter.query('SELECT 1'), (error: { errno: number; message: string }) => {
      assert.equal(error.errno, 1429);
      assert.match(error.message, /no free connection to backend primary within 1000 ms/);
      return true;
    });
    await holder.query('COMMIT');
    assert.deepEqual((await waiter.query('SELECT 2 AS next'))[0], [{ next: 2 }]);
  } finally {
    await Promise.all([holder.end().catch(() => {}), waiter.end().catch(() => {})]);
    await small.close();
  }
});

test(`sysbench oltp_read_write with ${THREADS} threads on the default pool: every event completes, none fails`, async (t) => {
  const prepared = await sysbench('oltp_read_write', ['--threads=4', 'prepare']);
  assert.equal(prepared.code, 0, prepared.output);

  const connectionsBefore = await connectionsToMariaDb();
  const run = await sysbench('oltp_read_write', [`--threads=${THREADS}`, `--events=${EVENTS}`, '--time=0', '--rand-seed=1', '--report-interval=0', '--db-ps-mode=auto', 'run']);
  t.diagnostic(run.output.split('\n').filter((line) => /transactions:|queries:|ignored errors|reconnects|95th/.test(line)).join(' | '));
  assert.doesNotMatch(run.output, /FATAL|1429|Unable to connect to foreign data source/, run.output.slice(-4000));
  assert.equal(run.code, 0, `sysbench exited ${run.code}:\n${run.output.slice(-4000)}`);
  assert.equal(count(run.output, /^\s+total number of events:\s+(\d+)$/m), EVENTS);
  assert.equal(count(run.output, /^\s+reconnects:\s+(\d+)\s/m), 0);

  // The clients were Cathode's: MariaDB got at most the pools' connections (two reactors' max),
  // plus a few of the heartbeat's and this test's own.
  const opened = (await connectionsToMariaDb()) - connectionsBefore;
  assert.ok(opened <= 2 * 64 + 8, `MariaDB got ${opened} new connections`);
});
