/** The character set a session asked for: the handshake's collation id, or its last SET NAMES. */
export type CharsetState = { kind: 'collation'; id: number } | { kind: 'names'; sql: string };

/**
 * What a client session expects of any backend connection serving it. Applied to a connection
 * before each statement (only the differences), so sessions can share connections safely.
 */
export interface SessionState {
  schema: string | undefined;
  charset: CharsetState;
  /** name -> replayable assignment ("@@session.name = value"). */
  variables: Map<string, string>;
  multiStatements: boolean;
  /** Bumped by every change, so a connection synced to this version is known to match. */
  version: number;
}

export function sameCharset(a: CharsetState, b: CharsetState): boolean {
  return a.kind === b.kind && (a.kind === 'collation' ? a.id === (b as typeof a).id : a.sql === (b as typeof a).sql);
}
