import { BackendConnection } from '@cathode/backend';
import { integerLiteral } from '../sql/escape.ts';

/**
 * Stops a backend thread from a connection of its own: MariaDB does not notice a closed client
 * socket while a statement runs (a SLEEP, a lock wait), so a vanished client's statement, and the
 * locks of its transaction, would otherwise live on until the statement ends.
 */
export async function killBackendThread(connection: BackendConnection, queryOnly: boolean, connectTimeoutMs: number): Promise<void> {
  const killer = await BackendConnection.connect({ endpoint: connection.endpoint, flavor: 0, connectTimeoutMs });
  try {
    await killer.query(`KILL ${queryOnly ? 'QUERY' : 'CONNECTION'} ${integerLiteral(connection.threadId)}`);
  } finally {
    killer.close();
  }
}
