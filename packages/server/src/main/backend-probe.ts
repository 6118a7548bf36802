import { BackendConnection, readServerAccounts, textRows } from '@cathode/backend';
import type { CathodeConfig } from '@cathode/config';
import { SqlError } from '@cathode/wire';
import type { Logger } from 'pino';
import type { BackendProbe } from '../threads/messages.ts';
import { StartupError } from './startup-error.ts';

/**
 * Backend errors no retry can fix: wrong credentials (1045, 1698), an account without access to
 * its default database (1044), a host the server does not accept (1130) or has blocked (1129), an
 * authentication method Cathode cannot speak (1251).
 */
const FATAL_LOGIN_ERRNOS: ReadonlySet<number> = new Set([1044, 1045, 1129, 1130, 1251, 1698]);

function credentialsRefused(error: unknown): SqlError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof SqlError && FATAL_LOGIN_ERRNOS.has(cause.errno)) return cause;
  }
  return undefined;
}

/**
 * Asks the first backend who it is before clients arrive: Cathode advertises the backend's
 * version and capabilities, and needs its collation names to replay character sets. Retries with
 * backoff for up to `connectMs` x 4, so Cathode and its database may start together, except when
 * the backend refuses Cathode's credentials: that ends start-up at once.
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
        const [[sqlMode]] = textRows(await connection.query('SELECT @@global.sql_mode'), connection.deprecateEof);
        if (config.accounts.fromBackend) await checkAccountsReadable(connection, backend.name, backend.user);
        return {
          serverVersion: connection.serverVersion,
          capabilityFlags: connection.serverCapabilities,
          characterSet: connection.serverCharacterSet,
          mariaDbCapabilities: connection.serverMariaDbCapabilities,
          collations: rows.map((row) => [Number(row[0]), row[1] ?? '', row[2] ?? '']),
          sqlMode: sqlMode ?? '',
        };
      } finally {
        connection.close();
      }
    } catch (error) {
      if (error instanceof StartupError) throw error;
      const refused = credentialsRefused(error);
      if (refused) throw new StartupError(`backend ${backend.name} at ${backend.host}:${backend.port} refused Cathode's login as ${backend.user} (errno ${refused.errno}: ${refused.message}); check backends.0.user and password`, { cause: error });
      if (Date.now() + delay > deadline) {
        throw new StartupError(`backend ${backend.name} at ${backend.host}:${backend.port} is not reachable: ${(error as Error).message}`, { cause: error });
      }
      logger.warn({ backend: backend.name, err: (error as Error).message, retryInMs: delay }, 'backend not reachable yet');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(config.reconnect.maxDelayMs, delay * 2);
    }
  }
}

/** accounts.fromBackend reads the mysql schema with the backend's own account: a missing grant is a config error. */
async function checkAccountsReadable(connection: BackendConnection, backendName: string, user: string): Promise<void> {
  try {
    await readServerAccounts(connection);
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    throw new StartupError(
      `accounts.fromBackend: backend ${backendName} does not let ${user} read its accounts (errno ${error.errno}: ${error.message}); grant it SELECT ON mysql.*`,
      { cause: error },
    );
  }
}
