import type { BackendConnection } from '@cathode/backend';
import { ResponseShape, SetOption, encodeComInitDb, encodeComSetOption, encodeComStmtClose } from '@cathode/wire';
import { escapeStringLiteral } from '../sql/escape.ts';
import { appliedStateOf, loginValueAssignment, markReset } from './applied-state.ts';
import { type SessionState, sameCharset } from './session-state.ts';

/** Collation id -> names, as the backend reports them (information_schema.COLLATIONS). */
export type CollationTable = ReadonlyMap<number, { charset: string; collation: string }>;

/**
 * True when `connection` already has the session's state, with `schema` as its default schema (the
 * session's own, or a data node's physical database): nothing to send before the next command.
 */
export function isInSync(connection: BackendConnection, session: SessionState, schema: string | undefined): boolean {
  const applied = appliedStateOf(connection);
  return applied.syncedWith === session && applied.syncedVersion === session.version && applied.schema === schema && applied.pendingCloses.length === 0;
}

/** Records that `connection` has the session's state as of now (after a change made on it). */
export function markInSync(connection: BackendConnection, session: SessionState): void {
  const applied = appliedStateOf(connection);
  applied.syncedWith = session;
  applied.syncedVersion = session.version;
}

/**
 * Brings a backend connection to the session's state with as few round trips as possible: nothing
 * when it already matches (the usual case with connection affinity). Throws the backend's error.
 */
export async function syncConnection(connection: BackendConnection, session: SessionState, schema: string | undefined, collations: CollationTable): Promise<void> {
  if (isInSync(connection, session, schema)) return;
  const applied = appliedStateOf(connection);
  applied.syncedWith = undefined;
  for (const id of applied.pendingCloses.splice(0)) connection.send(encodeComStmtClose(id));
  if (schema === undefined && applied.schema !== undefined) {
    // A session without a schema must not see the last one's; only a change of user unselects it.
    await connection.changeUserWithoutSchema();
    markReset(connection);
    applied.schema = undefined;
  }
  if (schema !== undefined && applied.schema !== schema) {
    const response = await connection.run(encodeComInitDb(schema), ResponseShape.OK);
    if (response.error) throw response.error;
    applied.schema = schema;
  }
  const assignments: string[] = [];
  if (!sameCharset(applied.charset, session.charset)) assignments.push(charsetAssignment(session, collations));
  for (const [name, assignment] of session.variables) if (applied.variables.get(name) !== assignment) assignments.push(assignment);
  for (const name of applied.variables.keys()) if (!session.variables.has(name)) assignments.push(loginValueAssignment(connection, name));
  if (assignments.length > 0) {
    await connection.query(`SET ${assignments.join(', ')}`);
    applied.charset = session.charset;
    applied.variables = new Map(session.variables);
  }
  if (applied.multiStatements !== session.multiStatements) {
    const option = session.multiStatements ? SetOption.MULTI_STATEMENTS_ON : SetOption.MULTI_STATEMENTS_OFF;
    const response = await connection.run(encodeComSetOption(option), ResponseShape.OK);
    if (response.error) throw response.error;
    applied.multiStatements = session.multiStatements;
  }
  markInSync(connection, session);
}

function charsetAssignment(session: SessionState, collations: CollationTable): string {
  const { charset } = session;
  if (charset.kind === 'names') return charset.sql;
  const known = collations.get(charset.id);
  if (!known) return `@@session.collation_connection = ${charset.id}`;
  return `NAMES ${escapeStringLiteral(known.charset)} COLLATE ${escapeStringLiteral(known.collation)}`;
}
