// For `node --test --test-global-setup=packages/testkit/src/global-setup.ts`: one MariaDB for the
// whole run. Test files are child processes spawned afterwards, so they inherit the env vars.
import { ensureMariaDbInstalled } from './mariadb-install.ts';
import { type MariaDbInstance, startMariaDb } from './mariadb-instance.ts';
import { TEST_MARIADB_DATADIR_ENV, TEST_MARIADB_PORT_ENV } from './test-backend.ts';

let shared: MariaDbInstance | undefined;

export async function globalSetup(): Promise<void> {
  // Already pointed at a running server (e.g. one from scripts/mariadb.ts)? Use it as is.
  if (process.env[TEST_MARIADB_PORT_ENV] && process.env[TEST_MARIADB_DATADIR_ENV]) return;
  await ensureMariaDbInstalled();
  shared = await startMariaDb();
  process.env[TEST_MARIADB_PORT_ENV] = String(shared.port);
  process.env[TEST_MARIADB_DATADIR_ENV] = shared.dataDir;
}

export async function globalTeardown(): Promise<void> {
  if (!shared) return;
  await shared.stop();
  shared = undefined;
  delete process.env[TEST_MARIADB_PORT_ENV];
  delete process.env[TEST_MARIADB_DATADIR_ENV];
}
