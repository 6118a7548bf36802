import { BackendConnection, textRows } from '@cathode/backend';
import type { CathodeConfig } from '@cathode/config';
import type { Logger } from 'pino';
import type { BackendProbe } from '../threads/messages.ts';

/**
 * Asks the first backend who it is before clients arrive: Cathode advertises the backend's
 * version and capabilities, and needs its collation names to replay character sets. Retries with
 * backoff for up to `connectMs` x 4, so Cathode and its database may start together.
 */
export async function probeBackend(config: CathodeConfig, logger: Logger): Promise<BackendProbe> {
  const backend = config.backends[0];
  const deadline = Date.now() + config.timeouts.connectMs * 4;
  let delay = config.reconnect.initialDelayMs;
  for (;;) {
    try {
      const connection = await BackendConnection.connect({
        endpoint: backend,
        flavor: 0,
        connectTimeoutMs: config.timeouts.connectMs,
      });
      try {
        const response = await connection.query('SELECT id, character_set_name, collation_name FROM information_schema.COLLATIONS WHERE id IS NOT NULL');
        const rows = textRows(response, connection.deprecateEof);
        return {
          serverVersion: connection.serverVersion,
          capabilityFlags: connection.serverCapabilities,
          characterSet: connection.serverCharacterSet,
          mariaDbCapabilities: connection.serverMariaDbCapabilities,
          collations: rows.map((row) => [Number(row[0]), row[1] ?? '', row[2] ?? '']),
        };
      } finally {
        connection.close();
      }
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      logger.warn({ backend: backend.name, err: (error as Error).message, retryInMs: delay }, 'backend not reachable yet');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(config.reconnect.maxDelayMs, delay * 2);
    }
  }
}
