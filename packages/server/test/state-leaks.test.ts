import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// One reactor, one backend connection: every session below runs on the connection the session
// before it used, so anything that leaked through the pool would show.

let cathode: TestCathode;
type Row = mysql.RowDataPacket;
const LATER_SESSIONS = 20;

before(async () => {
  cathode = await startTestCathode({ reactors: 1 }, { min: 0, max: 1 });
  await cathode.direct(`CREATE DATABASE IF NOT EXISTS ${cathode.schema}_b`);
  await cathode.direct(`CREATE TABLE ${cathode.schema}.t (id INT)`);
  await cathode.direct(
    `CREATE PROCEDURE ${cathode.schema}.leaky() BEGIN SET time_zone = '+05:00'; SET @leaked = 'yes'; SET NAMES latin1; CREATE TEMPORARY TABLE leaked_tmp (id INT); END`,
  );
});
after(async () => {
  await cathode.direct(`DROP DATABASE IF EXISTS ${cathode.schema}_b`);
  await cathode.close();
});

async function fresh(user: mysql.ConnectionOptions = {}): Promise<Record<string, unknown>> {
  return using(cathode.connect(user), async (connection) => {
    const [[row]] = await connection.query<Row[]>('SELECT @@session.time_zone AS tz, @leaked AS leaked, @@character_set_client AS charset, DATABASE() AS db');
    // A temporary table of an earlier session would be found (MariaDB 10.11 does not list them).
    const tmp = (await wireError(connection.query('SELECT 1 FROM leaked_tmp'))).errno === 1146 ? 0 : 1;
    return { ...row, tmp };
  });
}

async function assertNothingLeaked(user: mysql.ConnectionOptions = {}): Promise<void> {
  const clean = { tz: 'SYSTEM', leaked: null, charset: 'utf8mb4', db: cathode.schema, tmp: 0 };
  for (let i = 0; i < LATER_SESSIONS; i++) assert.deepEqual(await fresh(user), clean, `later session ${i}`);
}

test('regression: USE of a schema the user may not use is refused as a prepared statement too (1044)', async () => {
  await using(cathode.connect(), async (connection) => {
    const refused = await wireError(connection.prepare(`USE ${cathode.schema}_b`));
    assert.deepEqual([refused.errno, refused.sqlState], [1044, '42000']);
    const [[row]] = await connection.query<Row[]>('SELECT DATABASE() AS db');
    assert.equal(row.db, cathode.schema);
  });
  await assertNothingLeaked();
});

test('regression: SET time_zone, SET @x, SET NAMES and CREATE TEMPORARY TABLE sent as prepared statements leak into no later session', async () => {
  await using(cathode.connect(), async (connection) => {
    for (const sql of ["SET time_zone = '+03:00'", "SET @leaked = 'yes'", 'SET NAMES latin1', 'CREATE TEMPORARY TABLE leaked_tmp (id INT)']) {
      await connection.execute(sql);
    }
    const [[row]] = await connection.query<Row[]>('SELECT @@session.time_zone AS tz, @leaked AS leaked');
    assert.deepEqual({ ...row }, { tz: '+03:00', leaked: 'yes' }, 'the session itself keeps what it set');
  });
  await assertNothingLeaked();
});

test('regression: a CALL that changes session state leaks into no later session, of the same user or another', async () => {
  await using(cathode.connect(), (connection) => connection.query('CALL leaky()'));
  await assertNothingLeaked();
  await using(cathode.connect(), (connection) => connection.query('CALL leaky()'));
  const other = await fresh({ user: 'sha2', password: 'sha2pass' });
  assert.deepEqual(other, { tz: 'SYSTEM', leaked: null, charset: 'utf8mb4', db: cathode.schema, tmp: 0 });
});
