import { randomBytes } from 'node:crypto';
import { type CathodeConfig, parseConfig } from '@cathode/config';
import { type MariaDbInstance, adminQuery, testMariaDb } from '@cathode/testkit';
import mysql from 'mysql2/promise';
import { type CathodeHandle, startCathode } from '../../src/index.ts';
import { createLogger } from '../../src/logger.ts';

export interface TestCathode {
  handle: CathodeHandle;
  port: number;
  mariadb: MariaDbInstance;
  /** A schema of this test file's own, created fresh. */
  schema: string;
  config: CathodeConfig;
  /** mysql2 connection options for a user through Cathode. */
  options(overrides?: mysql.ConnectionOptions): mysql.ConnectionOptions;
  connect(overrides?: mysql.ConnectionOptions): Promise<mysql.Connection>;
  /** Runs SQL on MariaDB directly, as root, bypassing Cathode. */
  direct(sql: string, values?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Cathode in this process (reactor threads and all) in front of the suite's shared MariaDB, with
 * users: cathode/cathode (native password), sha2/sha2pass (caching_sha2_password), and
 * outsider/outsider, who may not use this file's schema.
 */
export async function startTestCathode(
  overrides: Record<string, unknown> | ((setup: { schema: string; mariadb: MariaDbInstance }) => Record<string, unknown> | Promise<Record<string, unknown>>) = {},
  backendPool?: { min: number; max: number },
): Promise<TestCathode> {
  const mariadb = await testMariaDb();
  const schema = `t_${randomBytes(4).toString('hex')}`;
  await adminQuery(mariadb, `CREATE DATABASE ${schema}`);
  // A function of the fresh schema may also prepare the backend (accounts, grants) before Cathode starts.
  const configOverrides = typeof overrides === 'function' ? await overrides({ schema, mariadb }) : overrides;
  const config = parseConfig({
    listen: { host: '127.0.0.1', port: 0 },
    reactors: 2,
    users: [
      { name: 'cathode', password: 'cathode', schemas: [schema] },
      { name: 'sha2', password: 'sha2pass', plugin: 'caching_sha2_password', schemas: [schema] },
      { name: 'outsider', password: 'outsider', schemas: ['elsewhere'] },
    ],
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, ...(backendPool && { pool: backendPool }) }],
    log: { level: 'error' },
    ...configOverrides,
  });
  const handle = await startCathode(config, createLogger(config.log.level, 'main'));
  const options = (more: mysql.ConnectionOptions = {}): mysql.ConnectionOptions => ({
    host: '127.0.0.1',
    port: handle.port,
    user: 'cathode',
    password: 'cathode',
    database: schema,
    ...more,
  });
  return {
    handle,
    port: handle.port,
    mariadb,
    schema,
    config,
    options,
    connect: (more) => mysql.createConnection(options(more)),
    direct: (sql, values) => adminQuery(mariadb, sql, values as never),
    async close() {
      await handle.close();
      await adminQuery(mariadb, `DROP DATABASE IF EXISTS ${schema}`);
    },
  };
}
