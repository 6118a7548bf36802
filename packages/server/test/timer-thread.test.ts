import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '@cathode/config';
import { type MariaDbInstance, startMariaDb } from '@cathode/testkit';
import mysql from 'mysql2/promise';
import { type CathodeHandle, startCathode } from '../src/index.ts';
import { createLogger } from '../src/logger.ts';
import { startTestCathode } from './support/harness.ts';

test('the idle sweep closes a client idle past clientIdleMs', async () => {
  const cathode = await startTestCathode({ timeouts: { clientIdleMs: 300 } });
  try {
    const connection = await cathode.connect();
    const stream = (connection as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
    const closedByServer = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    const [rows] = await connection.query('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
    await closedByServer;
    await assert.rejects(connection.query('SELECT 1'));
  } finally {
    await cathode.close();
  }
});

const dataDir = mkdtempSync(join(tmpdir(), 'cathode-heartbeat-'));
let mariadb: MariaDbInstance | undefined;
let cathode: CathodeHandle | undefined;
after(async () => {
  await cathode?.close();
  await mariadb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('heartbeats mark a dead backend down (queries fail fast with 1429, COM_PING too) and up again when it returns', async () => {
  mariadb = await startMariaDb({ dataDir: join(dataDir, 'db'), keepData: true });
  const port = mariadb.port;
  const config = parseConfig({
    listen: { port: 0 },
    reactors: 2,
    users: [{ name: 'cathode', password: 'cathode', schemas: ['*'] }],
    backends: [{ name: 'primary', host: mariadb.host, port, user: mariadb.adminUser, password: mariadb.adminPassword }],
    heartbeat: { periodMs: 100, timeoutMs: 1000, retries: 1 },
    log: { level: 'silent' },
  });
  cathode = await startCathode(config, createLogger('silent', 'main'));
  const verdicts: Array<(healthy: boolean) => void> = [];
  cathode.onBackendHealth((_, healthy) => verdicts.shift()?.(healthy));
  const nextVerdict = () => new Promise<boolean>((resolve) => verdicts.push(resolve));
  const client = await mysql.createConnection({ host: '127.0.0.1', port: cathode.port, user: 'cathode', password: 'cathode' });
  try {
    assert.deepEqual((await client.query('SELECT 1 AS up'))[0], [{ up: 1 }]);
    await client.ping();

    const down = nextVerdict();
    await mariadb.stop();
    assert.equal(await down, false);
    // Regression: a load balancer's ping (mariadb-admin ping) once said "alive" while the backend was down.
    await assert.rejects(client.ping(), (error: { errno: number }) => error.errno === 1429);
    await assert.rejects(client.query('SELECT 1'), (error: { errno: number; message: string }) => {
      assert.equal(error.errno, 1429);
      assert.match(error.message, /down/);
      return true;
    });

    const up = nextVerdict();
    mariadb = await startMariaDb({ dataDir: join(dataDir, 'db'), keepData: true, port });
    assert.equal(await up, true);
    assert.deepEqual((await client.query('SELECT 2 AS back'))[0], [{ back: 2 }]);
    await client.ping();
  } finally {
    await client.end().catch(() => {});
  }
});
