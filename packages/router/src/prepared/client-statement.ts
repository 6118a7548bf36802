import type { BackendConnection } from '@cathode/backend';
import type { Lease } from '../session/lease.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';

/** The server-side statement behind a client statement, on the one backend connection that has it. */
export interface BackendStatement {
  connection: BackendConnection;
  id: number;
  /** The connection's reset epoch when prepared: a reset since then has freed the statement. */
  epoch: number;
  /** Whether the connection has been sent the parameter types (it remembers the last ones). */
  typesSent: boolean;
  /**
   * Column definitions the client has to be given with the next result set. Set when Cathode
   * prepared the statement again itself: the server then counts the definitions as sent (it sent
   * them to Cathode) and, under MARIADB_CLIENT_CACHE_METADATA, skips them on execute, while the
   * client's cached copy may predate a schema change.
   */
  metadataForClient: Buffer[] | undefined;
}

/**
 * A prepared statement as the client sees it (Cathode's own id). Its backend statement lives on
 * one connection at a time: when the session is served by another connection, the statement is
 * prepared there and the old one closed, transparently.
 */
export interface ClientStatement {
  id: number;
  sql: string;
  /** What each execute does to session state, as the same SQL sent as text would. */
  analysis: StatementAnalysis;
  /** The data node's lease the statement runs on (chosen at prepare time). */
  lease: Lease;
  /** The session's schema when it was prepared: MariaDB runs a prepared statement in that schema. */
  schema: string | undefined;
  parameterCount: number;
  /** (type, flags) pairs from the last execute that bound them; re-sent to backends that lack them. */
  parameterTypes: Buffer | undefined;
  /** COM_STMT_SEND_LONG_DATA pieces per parameter, sent before the next execute. */
  longData: Map<number, Buffer[]>;
  /** Their total size, bounded by maxAllowedPacket (the execute is refused beyond it). */
  longDataBytes: number;
  backend: BackendStatement | undefined;
  /** True while an execute left a cursor open on the backend statement's connection. */
  cursorOpen: boolean;
}
