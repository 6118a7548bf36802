import type { BackendConnection } from '@cathode/backend';
import type { Lease } from '../session/lease.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';
import type { SharedStatement } from './connection-statements.ts';

/** Where a client statement is bound now: a shared statement on one backend connection. */
export interface StatementBinding {
  connection: BackendConnection;
  shared: SharedStatement;
}

/**
 * A prepared statement as the client sees it (Cathode's own id). It is bound to the shared
 * backend statement of whichever connection serves its execute, found there by `key` or prepared.
 */
export interface ClientStatement {
  id: number;
  /** The SQL as the client sent it (its character set's bytes), CONNECTION_ID() written in. */
  sql: Buffer;
  /** The session's character set and sql_mode when it was prepared: the backend parses it under these. */
  modes: string;
  /** The SQL with what decides how the server parses it (schema, modes, character set): the shared statements' key. */
  key: string;
  /** What each execute does to session state, as the same SQL sent as text would. */
  analysis: StatementAnalysis;
  /** The data node's lease the statement runs on (chosen at prepare time). */
  lease: Lease;
  /** The session's schema when it was prepared: MariaDB runs a prepared statement in that schema. */
  schema: string | undefined;
  parameterCount: number;
  /** (type, flags) pairs from the last execute that bound them; re-sent to backend statements that hold others. */
  parameterTypes: Buffer | undefined;
  /** COM_STMT_SEND_LONG_DATA pieces per parameter, sent before the next execute. */
  longData: Map<number, Buffer[]>;
  /** Their total size, bounded by maxAllowedPacket (the execute is refused beyond it). */
  longDataBytes: number;
  binding: StatementBinding | undefined;
  /**
   * Under MARIADB_CLIENT_CACHE_METADATA: the `definitionsKey` of the column definitions the client
   * holds. An execute on a shared statement with other definitions puts them into the result.
   */
  clientDefinitions: string;
  /** True while an execute left a cursor open on the bound connection. */
  cursorOpen: boolean;
}
