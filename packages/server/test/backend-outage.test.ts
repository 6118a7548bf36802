import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '@cathode/config';
import { type MariaDbInstance, adminQuery, startMariaDb } from '@cathode/testkit';
import mysql from 'mysql2/promise';
import { type CathodeHandle, startCathode } from '../src/index.ts';
import { createLogger } from '../src/logger.ts';

// After an outage, clients are served again as soon as a backend connection succeeds, not when
// the heartbeat next says so. Regression: a pool marked down refused every statement (1429) until
// the timer thread declared the backend healthy again.
//
// To tell the two apart without racing the heartbeat, its SQL reads a MEMORY table, which a
// restart empties: before the outage the heartbeat succeeds; after the restart it keeps failing,
// so it never declares the backend up and only a client's own connection can bring it back.

const HEARTBEAT_SQL = 'SELECT IF(EXISTS(SELECT 1 FROM outage_probe.alive), 1, (SELECT 1 UNION ALL SELECT 2))';

const dataDir = mkdtempSync(join(tmpdir(), 'cathode-outage-'));
let mariadb: MariaDbInstance | undefined;
let cathode: CathodeHandle | undefined;
after(async () => {
  await cathode?.close();
  await mariadb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('after an outage, a statement is served as soon as the backend accepts a connection, before any heartbeat says it is up', async () => {
  mariadb = await startMariaDb({ dataDir: join(dataDir, 'db'), keepData: true });
  const port = mariadb.port;
  await adminQuery(mariadb, 'CREATE DATABASE outage_probe');
  await adminQuery(mariadb, 'CREATE TABLE outage_probe.alive (id INT) ENGINE=MEMORY');
  await adminQuery(mariadb, 'INSERT INTO outage_probe.alive VALUES (1)');

  const config = parseConfig({
    listen: { port: 0 },
    reactors: 2,
    users: [{ name: 'cathode', password: 'cathode', schemas: ['*'] }],
    backends: [{ name: 'primary', host: mariadb.host, port, user: mariadb.adminUser, password: mariadb.adminPassword }],
    heartbeat: { sql: HEARTBEAT_SQL, periodMs: 100, timeoutMs: 1000, retries: 0 },
    log: { level: 'silent' },
  });
  cathode = await startCathode(config, createLogger('silent', 'main'));
  const verdicts: boolean[] = [];
  let onVerdict: ((healthy: boolean) => void) | undefined;
  cathode.onBackendHealth((_, healthy) => {
    verdicts.push(healthy);
    onVerdict?.(healthy);
  });
  const nextVerdict = () => new Promise<boolean>((resolve) => (onVerdict = resolve));

  const client = await mysql.createConnection({ host: '127.0.0.1', port: cathode.port, user: 'cathode', password: 'cathode' });
  try {
    assert.deepEqual((await client.query('SELECT 1 AS up'))[0], [{ up: 1 }]);

    const down = nextVerdict();
    await mariadb.stop();
    assert.equal(await down, false);
    // Down and unreachable: the probe connect fails, and so does the statement, with the down error.
    await assert.rejects(client.query('SELECT 1'), (error: { errno: number; message: string }) => {
      assert.equal(error.errno, 1429);
      assert.match(error.message, /down/);
      return true;
    });

    mariadb = await startMariaDb({ dataDir: join(dataDir, 'db'), keepData: true, port });
    assert.deepEqual((await client.query('SELECT 2 AS back'))[0], [{ back: 2 }]);
    // Clients on the other reactor are served too: its pools probe on their own.
    const others = await Promise.all([1, 2, 3].map(() => mysql.createConnection({ host: '127.0.0.1', port: cathode!.port, user: 'cathode', password: 'cathode' })));
    try {
      for (const other of others) assert.deepEqual((await other.query('SELECT 3 AS served'))[0], [{ served: 3 }]);
    } finally {
      await Promise.all(others.map((other) => other.end().catch(() => {})));
    }
    // The heartbeat still fails (its table is empty), so it never said the backend was up.
    assert.deepEqual(verdicts, [false]);
  } finally {
    await client.end().catch(() => {});
  }
});
