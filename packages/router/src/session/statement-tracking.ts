import type { BackendConnection } from '@cathode/backend';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';
import { appliedStateOf } from './applied-state.ts';
import type { Lease } from './lease.ts';
import type { SessionState } from './session-state.ts';
import { markInSync } from './state-sync.ts';

/**
 * What a statement that ran leaves on its lease: pins it starts or ends (the connection that ran
 * SQL_CALC_FOUND_ROWS is kept for the next statement only), and whether the connection's state
 * can no longer be known (reset before another session gets it).
 */
export function updatePins(lease: Lease, analysis: StatementAnalysis, succeeded: boolean): void {
  lease.pinReasons.delete('SQL_CALC_FOUND_ROWS');
  if (succeeded) {
    if (analysis.unlocksTables) {
      lease.pinReasons.delete('LOCK TABLES');
      lease.pinReasons.delete('FLUSH … LOCK');
    }
    if (analysis.releasesAllLocks) lease.pinReasons.delete('GET_LOCK');
    lease.trackTemporaryTables(analysis.temporaryTablesCreated, analysis.temporaryTablesDropped);
  }
  if (analysis.pinReason) lease.pinReasons.add(analysis.pinReason);
  if (analysis.userVariables.size > 0) lease.pinReasons.add('user variable');
  if (analysis.calcFoundRows) lease.pinReasons.add('SQL_CALC_FOUND_ROWS');
  if (analysis.untracked !== undefined) lease.untracked = analysis.untracked;
}

/** The text changes session state Cathode tracks (or could not read): what a partial failure leaves unknown. */
export function changesSessionState(analysis: StatementAnalysis): boolean {
  return (
    analysis.schema !== undefined ||
    analysis.names !== undefined ||
    analysis.namesCharset !== undefined ||
    analysis.sqlMode !== undefined ||
    analysis.lexSettingsUnknown !== undefined ||
    analysis.variables.size > 0 ||
    analysis.userVariables.size > 0 ||
    analysis.temporaryTablesCreated.length > 0
  );
}

/**
 * Remembers what a successful statement changed of the tracked session state (schema, character
 * set, session variables), on the session and on the connection that ran it, which then matches.
 */
export function trackSessionState(state: SessionState, analysis: StatementAnalysis, connection: BackendConnection): void {
  if (analysis.schema === undefined && analysis.names === undefined && analysis.variables.size === 0) return;
  const applied = appliedStateOf(connection);
  if (analysis.schema !== undefined) {
    state.schema = analysis.schema;
    applied.schema = analysis.schema;
  }
  if (analysis.names !== undefined) {
    state.charset = { kind: 'names', sql: analysis.names };
    applied.charset = state.charset;
  }
  for (const [name, assignment] of analysis.variables) {
    state.variables.set(name, assignment);
    applied.variables.set(name, assignment);
  }
  state.version++;
  markInSync(connection, state);
}
