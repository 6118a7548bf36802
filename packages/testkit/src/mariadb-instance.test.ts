import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { adminQuery } from './admin.ts';
import { ensureMariaDbInstalled } from './mariadb-install.ts';
import { type MariaDbInstance, runningMariaDbAt, startMariaDb, stopMariaDbAt } from './mariadb-instance.ts';
import { isProcessAlive } from './processes.ts';
import { testMariaDb } from './test-backend.ts';

const started: MariaDbInstance[] = [];
const dirs: string[] = [];

async function start(options?: Parameters<typeof startMariaDb>[0]): Promise<MariaDbInstance> {
  const instance = await startMariaDb(options);
  started.push(instance);
  return instance;
}

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cathode-mariadb-test-'));
  dirs.push(dir);
  return dir;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

before(async () => {
  await ensureMariaDbInstalled();
});

after(async () => {
  await Promise.allSettled(started.map((instance) => instance.stop()));
  await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('starts a throwaway MariaDB, serves the admin user over TCP, and cleans up on stop', async () => {
  const instance = await start();
  assert.equal(instance.host, '127.0.0.1');
  assert.ok(isProcessAlive(instance.pid));

  const connection = await mysql.createConnection({
    host: instance.host,
    port: instance.port,
    user: instance.adminUser,
    password: instance.adminPassword,
  });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    assert.match(String(rows[0].version), /MariaDB/);
  } finally {
    await connection.end();
  }

  await instance.stop();
  await instance.stop(); // idempotent
  assert.equal(isProcessAlive(instance.pid), false);
  assert.equal(await connectionRefused(instance.port), true);
  assert.equal(existsSync(instance.dataDir), false);
});

test('a detached instance keeps its data and is stopped via stopMariaDbAt', async () => {
  const dataDir = join(await scratchDir(), 'data');
  const first = await start({ dataDir, keepData: true, detached: true });
  assert.deepEqual(runningMariaDbAt(dataDir), { pid: first.pid, port: first.port });
  await adminQuery(first, 'CREATE DATABASE kept; CREATE TABLE kept.t (id INT); INSERT INTO kept.t VALUES (42)');

  assert.equal(await stopMariaDbAt(dataDir), true);
  assert.equal(isProcessAlive(first.pid), false);
  assert.equal(runningMariaDbAt(dataDir), undefined);
  assert.equal(await stopMariaDbAt(dataDir), false);
  assert.ok(existsSync(join(dataDir, 'mysql')), 'data dir kept');

  const second = await start({ dataDir, keepData: true });
  const rows = await adminQuery(second, 'SELECT id FROM kept.t');
  assert.deepEqual(rows.map((row) => row.id), [42]);
  await second.stop();
  assert.ok(existsSync(join(dataDir, 'mysql')), 'data dir still kept');
});

test('restores the TCP root account on a reused data dir that lost it', async () => {
  const dataDir = join(await scratchDir(), 'data');
  const first = await start({ dataDir, keepData: true });
  await adminQuery(first, "DROP USER 'root'@'127.0.0.1'");
  await first.stop();

  const second = await start({ dataDir, keepData: true });
  const rows = await adminQuery(second, 'SELECT CURRENT_USER() AS user');
  assert.match(String(rows[0].user), /^root@/);
  await second.stop();
});

test('fails fast with the error log when mariadbd cannot start', async () => {
  const startedAt = Date.now();
  await assert.rejects(startMariaDb({ extraArgs: ['--no-such-option-for-testkit'] }), (error: Error) => {
    assert.match(error.message, /exited .* before accepting connections/);
    assert.match(error.message, /no-such-option-for-testkit/);
    return true;
  });
  assert.ok(Date.now() - startedAt < 30_000);
});

test('refuses to overwrite an initialised data dir unless keepData is set', async () => {
  const dataDir = join(await scratchDir(), 'data');
  const instance = await start({ dataDir, keepData: true });
  await instance.stop();
  await assert.rejects(startMariaDb({ dataDir }), /keepData/);
  assert.ok(existsSync(join(dataDir, 'mysql')));
});

test('testMariaDb returns a working handle whose stop() is a no-op', async () => {
  const instance = await testMariaDb();
  assert.equal(await testMariaDb().then((again) => again.port), instance.port);
  await instance.stop();
  const rows = await adminQuery(instance, 'SELECT 1 AS one');
  assert.equal(rows[0].one, 1);
});
