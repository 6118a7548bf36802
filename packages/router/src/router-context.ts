import type { BackendPools } from '@cathode/backend';
import type { UserDirectory } from '@cathode/frontend';
import type { Logger } from 'pino';
import type { Router } from './routing/router.ts';
import type { CollationTable } from './session/state-sync.ts';
import type { KillResult, SessionRegistry } from './session/session-registry.ts';
import type { LexOptions } from './sql/byte-lexer.ts';
import type { StatementAnalysis } from './sql/statement-analysis-result.ts';

/** What every session on one reactor shares. */
export interface RouterContext {
  pools: BackendPools;
  router: Router;
  collations: CollationTable;
  /** The backend's global sql_mode: what a new session's statements are lexed under. */
  defaultSqlMode?: string;
  users: UserDirectory;
  registry: SessionRegistry;
  /** KILL of a session on another reactor, via the main thread. */
  killRemote(connectionId: number, queryOnly: boolean, username: string): Promise<KillResult>;
  connectTimeoutMs: number;
  /** The largest packet (and COM_STMT_SEND_LONG_DATA total per parameter set) a client may send. */
  maxAllowedPacket: number;
  logger: Logger;
  /**
   * Statement texts longer than `offloadBytes` are analysed here, off the reactor's thread (the
   * server's executor), so that one 16 MiB INSERT does not stall every other session of the
   * reactor. Rejects with the error to answer the statement with. Absent: all analysis is in place.
   */
  analyzeOffThread?: (sql: Buffer, options: LexOptions) => Promise<StatementAnalysis>;
  offloadBytes?: number;
}
