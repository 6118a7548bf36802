import mysql from 'mysql2/promise';
import type { TestCathode } from './harness.ts';

/** mysql2 options for MariaDB itself, as root, in the test file's schema: the reference Cathode must match. */
export function directOptions(cathode: TestCathode, more: mysql.ConnectionOptions = {}): mysql.ConnectionOptions {
  return {
    host: cathode.mariadb.host,
    port: cathode.mariadb.port,
    user: cathode.mariadb.adminUser,
    password: cathode.mariadb.adminPassword,
    database: cathode.schema,
    ...more,
  };
}

/** A mysql2 connection straight to MariaDB (bypassing Cathode). */
export function connectDirect(cathode: TestCathode, more: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection(directOptions(cathode, more));
}

/** Runs `fn` with a connection and always closes it (destroying it when it is already broken). */
export async function using<T>(connecting: Promise<mysql.Connection>, fn: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await connecting;
  try {
    return await fn(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** The wire error a mysql2 call failed with (errno, SQLSTATE, message), for comparing with MariaDB's own. */
export async function wireError(work: Promise<unknown>): Promise<{ errno: number; sqlState: string; message: string }> {
  try {
    await work;
  } catch (error) {
    const { errno, sqlState, sqlMessage, message } = error as { errno: number; sqlState: string; sqlMessage?: string; message: string };
    return { errno, sqlState, message: sqlMessage ?? message };
  }
  throw new Error('expected the statement to fail');
}
