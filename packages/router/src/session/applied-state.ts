import type { BackendConnection } from '@cathode/backend';
import { CapabilityFlags, hasCapability } from '@cathode/wire';
import { ConnectionStatements } from '../prepared/connection-statements.ts';
import type { SessionState } from './session-state.ts';

/** Per backend connection: the session state it currently has, and what is pending on it. */
export interface AppliedState extends SessionState {
  /** Counts resets (COM_RESET_CONNECTION, change user), which free the connection's prepared statements. */
  epoch: number;
  /** Statement ids to close before the connection's next command. */
  pendingCloses: number[];
  /** The prepared statements sessions share on this connection. */
  statements: ConnectionStatements;
  /** LAST_INSERT_ID() as the server holds it for this connection (any session's inserts move it). */
  lastInsertId: number | bigint;
  /** Counts statements run on the connection: FOUND_ROWS() and ROW_COUNT() belong to the last one. */
  statementSerial: number;
  /** The session state (and its version) this connection is known to match: syncing it again is a no-op. */
  syncedWith: SessionState | undefined;
  syncedVersion: number;
}

const applied = new WeakMap<BackendConnection, AppliedState>();

/**
 * Session variables the server derives from client capabilities at login. `= DEFAULT` and
 * COM_RESET_CONNECTION give them the global value instead, which is not what a new session has.
 */
const LOGIN_DERIVED = [
  { name: 'sql_mode', capability: CapabilityFlags.CLIENT_IGNORE_SPACE, value: "CONCAT_WS(',', NULLIF(@@global.sql_mode, ''), 'IGNORE_SPACE')" },
  { name: 'wait_timeout', capability: CapabilityFlags.CLIENT_INTERACTIVE, value: '@@global.interactive_timeout' },
];

/** The assignment that gives `name` back the value it had right after `connection` logged in. */
export function loginValueAssignment(connection: BackendConnection, name: string): string {
  const derived = LOGIN_DERIVED.find((entry) => entry.name === name && hasCapability(connection.capabilityFlags, entry.capability));
  return `@@session.${name} = ${derived ? derived.value : 'DEFAULT'}`;
}

/** The state a backend connection has: what it was created with until someone changed it. */
export function appliedStateOf(connection: BackendConnection): AppliedState {
  let state = applied.get(connection);
  if (!state) {
    const pendingCloses: number[] = [];
    state = {
      schema: undefined,
      charset: { kind: 'collation', id: connection.characterSet },
      variables: new Map(),
      multiStatements: true,
      version: 0,
      epoch: 0,
      pendingCloses,
      statements: new ConnectionStatements(connection, pendingCloses),
      lastInsertId: 0,
      statementSerial: 0,
      syncedWith: undefined,
      syncedVersion: 0,
    };
    applied.set(connection, state);
  }
  return state;
}

/**
 * After COM_RESET_CONNECTION the connection is as new, except that the schema stays and so does
 * the multi-statements option: the server keeps COM_SET_OPTION's change across a reset.
 */
export function markReset(connection: BackendConnection): void {
  const state = appliedStateOf(connection);
  state.charset = { kind: 'collation', id: connection.characterSet };
  state.variables.clear();
  // The reset left these at their global values, unlike a fresh login: sync restores them when due.
  for (const entry of LOGIN_DERIVED) {
    if (hasCapability(connection.capabilityFlags, entry.capability)) state.variables.set(entry.name, `@@session.${entry.name} = DEFAULT`);
  }
  state.epoch++;
  state.pendingCloses.length = 0;
  state.statements.forgetAll();
  state.lastInsertId = 0;
  state.statementSerial++;
  state.syncedWith = undefined;
}
