import type { BackendConnection } from '@cathode/backend';

/**
 * A prepared statement as the client sees it (Cathode's own id). The backend statements behind it
 * are per backend connection: when the session is served by another connection, the statement is
 * prepared there too, transparently.
 */
export interface ClientStatement {
  id: number;
  sql: string;
  parameterCount: number;
  /** (type, flags) pairs from the last execute that bound them; re-sent to backends that lack them. */
  parameterTypes: Buffer | undefined;
  /** COM_STMT_SEND_LONG_DATA pieces per parameter, sent before the next execute. */
  longData: Map<number, Buffer[]>;
  backends: Map<BackendConnection, number>;
  /** The connection holding this statement's open cursor, if any. */
  cursor: BackendConnection | undefined;
}

/** Key of a client statement in a backend connection's statement map. */
export function backendStatementKey(sessionId: number, statementId: number): string {
  return `${sessionId}:${statementId}`;
}
