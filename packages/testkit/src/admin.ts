import mysql from 'mysql2/promise';
import type { MariaDbInstance } from './mariadb-instance.ts';

// mysql2 does not export its QueryValues type by name.
type QueryValues = Parameters<mysql.Connection['query']>[1];

export type AdminTarget = Pick<MariaDbInstance, 'host' | 'port' | 'adminUser' | 'adminPassword'>;

/** Opens a superuser connection (multiple statements allowed), runs `fn`, and always closes it. */
export async function withAdminConnection<T>(
  instance: AdminTarget,
  fn: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  const connection = await mysql.createConnection({
    host: instance.host,
    port: instance.port,
    user: instance.adminUser,
    password: instance.adminPassword,
    multipleStatements: true,
  });
  try {
    return await fn(connection);
  } finally {
    // end() waits for a clean QUIT; if the connection is already broken, just drop it.
    await connection.end().catch(() => connection.destroy());
  }
}

/** One-off admin query; resolves to the rows (or the OK packet / per-statement results). */
export function adminQuery<T extends mysql.QueryResult = mysql.RowDataPacket[]>(
  instance: AdminTarget,
  sql: string,
  values?: QueryValues,
): Promise<T> {
  return withAdminConnection(instance, async (connection) => {
    const [result] = await connection.query<T>(sql, values);
    return result;
  });
}
