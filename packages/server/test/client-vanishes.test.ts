import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { connectDirect, using } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// A client that vanishes (socket destroyed, no COM_QUIT) leaves nothing held on a backend: no
// transaction, no row lock, no statement still running.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;

before(async () => {
  cathode = await startTestCathode();
  await cathode.direct(`CREATE TABLE ${cathode.schema}.accounts (id INT PRIMARY KEY, balance INT) ENGINE=InnoDB`);
  await cathode.direct(`INSERT INTO ${cathode.schema}.accounts VALUES (1, 100), (2, 200)`);
});
after(() => cathode.close());

/** The next client waits for the row lock for up to 50 s: it gets the row at once only if the lock was released. */
async function lockRow(): Promise<number> {
  return using(cathode.connect(), async (b) => {
    await b.query('SET SESSION innodb_lock_wait_timeout = 50');
    await b.query('BEGIN');
    const [[row]] = await b.query<Row[]>('SELECT balance FROM accounts WHERE id = 1 FOR UPDATE');
    await b.query('ROLLBACK');
    return Number(row.balance);
  });
}

/** Waits (by querying) until MariaDB runs a statement containing `marker`. */
async function backendRunning(marker: string): Promise<void> {
  await using(connectDirect(cathode), async (direct) => {
    for (;;) {
      const [rows] = await direct.query<Row[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', ?, '%') AND INFO NOT LIKE '%PROCESSLIST%'", [marker]);
      if (rows.length > 0) return;
    }
  });
}

test('regression: a client destroyed while holding SELECT ... FOR UPDATE in a transaction releases the lock at once', async () => {
  const a = await cathode.connect();
  await a.query('BEGIN');
  await a.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');
  await a.query('SELECT * FROM accounts WHERE id = 1 FOR UPDATE');
  a.destroy();
  assert.equal(await lockRow(), 100, 'the other client got the row, with the vanished transaction rolled back');
});

test('regression: a client destroyed while its statement runs (holding a lock) has the backend statement stopped, not left running', { timeout: 60_000 }, async () => {
  const marker = `vanish-${randomBytes(6).toString('hex')}`;
  const a = await cathode.connect();
  await a.query('BEGIN');
  await a.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');
  // mysql2 settles nothing pending on destroy(): the query is left as it is.
  void a.query(`SELECT SLEEP(600), '${marker}'`).catch(() => {});
  await backendRunning(marker);
  a.destroy();
  assert.equal(await lockRow(), 100, 'the lock was released without waiting for the SLEEP');
});

test('a client destroyed while its statement waits for the lock leaves the pool usable for everyone else', async () => {
  const holder = await cathode.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT * FROM accounts WHERE id = 2 FOR UPDATE');
  const marker = `waiter-${randomBytes(6).toString('hex')}`;
  const waiter = await cathode.connect();
  void waiter.query(`SELECT balance, '${marker}' FROM accounts WHERE id = 2 FOR UPDATE`).catch(() => {});
  await backendRunning(marker);
  waiter.destroy();
  await holder.query('ROLLBACK');
  await holder.end();
  const [[row]] = await using(cathode.connect(), (c) => c.query<Row[]>('SELECT COUNT(*) AS n FROM accounts'));
  assert.equal(Number(row.n), 2);
});
