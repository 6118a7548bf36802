import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Failed logins are throttled per client host after MariaDB's max_connect_errors (issue 7,
// hole 14): counted across reactors, refused with 1129 even with the right password.

const LIMIT = 3;
let cathode: TestCathode;

before(async () => {
  cathode = await startTestCathode({ reactors: 2, security: { maxConnectErrors: LIMIT } });
});
after(() => cathode?.close());

/** The errno a login attempt ends with, or 0 when it succeeds. */
async function login(password: string): Promise<number> {
  try {
    const connection = await mysql.createConnection(cathode.options({ password }));
    await connection.end();
    return 0;
  } catch (error) {
    return (error as { errno?: number }).errno ?? -1;
  }
}

test(`after ${LIMIT} failed logins in a row the host is refused with 1129, even with the right password, until flushed`, async (t) => {
  t.after(() => cathode.handle.flushHosts());
  const failures = [];
  for (let attempt = 0; attempt < LIMIT; attempt++) failures.push(await login('wrong'));
  assert.deepEqual(failures, Array(LIMIT).fill(1045), 'each bad login is refused as such while the host is not blocked');
  let blocked: (Error & { errno?: number; sqlState?: string }) | undefined;
  await mysql.createConnection(cathode.options()).then(
    (connection) => connection.destroy(),
    (error: Error) => (blocked = error),
  );
  assert.equal(blocked?.errno, 1129, `got ${blocked?.message}`);
  assert.equal(blocked?.sqlState, 'HY000');
  assert.match(blocked?.message ?? '', /^Host '127\.0\.0\.1' is blocked because of many connection errors/);
  cathode.handle.flushHosts();
  assert.equal(await login('cathode'), 0, 'flushed: the host may log in again');
});

test('a successful login resets the count: only consecutive failures block', async (t) => {
  t.after(() => cathode.handle.flushHosts());
  const outcomes = [];
  for (let round = 0; round < 3; round++) {
    for (let attempt = 0; attempt < LIMIT - 1; attempt++) outcomes.push(await login('wrong'));
    outcomes.push(await login('cathode'));
  }
  assert.deepEqual(outcomes, Array(3).fill([...Array(LIMIT - 1).fill(1045), 0]).flat());
});
