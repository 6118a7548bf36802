import type { BackendConnection } from '@cathode/backend';
import type { SessionState } from './session-state.ts';

/** Per backend connection: the session state it currently has, and its prepared statements. */
export interface AppliedState extends SessionState {
  /** (schema + SQL) -> backend statement id. */
  statements: Map<string, { id: number; typesSent: boolean }>;
  /** Statement ids to close before the connection's next command. */
  pendingCloses: number[];
}

const applied = new WeakMap<BackendConnection, AppliedState>();

/** The state a backend connection has: what it was created with until someone changed it. */
export function appliedStateOf(connection: BackendConnection): AppliedState {
  let state = applied.get(connection);
  if (!state) {
    state = {
      schema: undefined,
      charset: { kind: 'collation', id: connection.characterSet },
      variables: new Map(),
      multiStatements: true,
      statements: new Map(),
      pendingCloses: [],
    };
    applied.set(connection, state);
  }
  return state;
}

/** After COM_RESET_CONNECTION the connection is as new (the schema stays). */
export function markReset(connection: BackendConnection): void {
  const state = appliedStateOf(connection);
  state.charset = { kind: 'collation', id: connection.characterSet };
  state.variables.clear();
  state.multiStatements = true;
  state.statements.clear();
  state.pendingCloses.length = 0;
}
