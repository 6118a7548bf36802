import type { BackendEndpoint, BackendPools } from '@cathode/backend';
import type { UserDirectory } from '@cathode/frontend';
import type { Logger } from 'pino';
import type { CollationTable } from './session/state-sync.ts';
import type { KillResult, SessionRegistry } from './session/session-registry.ts';

/** What every session on one reactor shares. */
export interface RouterContext {
  pools: BackendPools;
  /** The backend that serves a schema (the foundation routes whole schemas; sharding refines this). */
  backendFor(schema: string | undefined): BackendEndpoint;
  collations: CollationTable;
  users: UserDirectory;
  registry: SessionRegistry;
  /** KILL of a session on another reactor, via the main thread. */
  killRemote(connectionId: number, queryOnly: boolean, username: string): Promise<KillResult>;
  connectTimeoutMs: number;
  logger: Logger;
}
