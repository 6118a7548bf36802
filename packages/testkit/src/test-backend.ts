import { join } from 'node:path';
import { ensureMariaDbInstalled } from './mariadb-install.ts';
import { type MariaDbInstance, runningMariaDbAt, socketPathFor, startMariaDb } from './mariadb-instance.ts';

/** Set by global-setup.ts for the test files it runs (they inherit its environment). */
export const TEST_MARIADB_PORT_ENV = 'CATHODE_TEST_MARIADB_PORT';
export const TEST_MARIADB_DATADIR_ENV = 'CATHODE_TEST_MARIADB_DATADIR';

let privateInstance: Promise<MariaDbInstance> | undefined;

/**
 * The MariaDB for this test process: the shared one from global setup if there is one,
 * otherwise a private instance (so a single test file can run alone) that dies with the process.
 * stop() on the returned handle is a no-op either way; the owner stops the real server.
 */
export function testMariaDb(): Promise<MariaDbInstance> {
  const port = process.env[TEST_MARIADB_PORT_ENV];
  const dataDir = process.env[TEST_MARIADB_DATADIR_ENV];
  if (port && dataDir) return Promise.resolve(sharedHandle(Number(port), dataDir));
  privateInstance ??= startPrivate();
  return privateInstance;
}

function sharedHandle(port: number, dataDir: string): MariaDbInstance {
  return {
    host: '127.0.0.1',
    port,
    dataDir,
    socketPath: socketPathFor(dataDir),
    pid: runningMariaDbAt(dataDir)?.pid ?? -1,
    adminUser: 'root',
    adminPassword: '',
    errorLogPath: join(dataDir, 'error.log'),
    stop: async () => {},
  };
}

async function startPrivate(): Promise<MariaDbInstance> {
  try {
    await ensureMariaDbInstalled();
    // Not detached: the exit hooks in mariadb-instance.ts kill it and delete its data dir.
    const instance = await startMariaDb();
    return { ...instance, stop: async () => {} };
  } catch (error) {
    privateInstance = undefined; // let a later call retry
    throw error;
  }
}
