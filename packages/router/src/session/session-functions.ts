import type { BackendConnection } from '@cathode/backend';
import { SqlError } from '@cathode/wire';
import { integerLiteral } from '../sql/escape.ts';
import { SessionFunction, type StatementAnalysis } from '../sql/statement-analysis-result.ts';
import { appliedStateOf } from './applied-state.ts';
import type { StatementOutcomes } from './statement-outcomes.ts';

const NEEDS_LAST_STATEMENT = SessionFunction.FOUND_ROWS | SessionFunction.ROW_COUNT;

/**
 * Makes `connection` answer the statement's session functions with the session's values, which
 * MariaDB keeps per connection while Cathode's sessions move between connections:
 * LAST_INSERT_ID() is set there first (`DO LAST_INSERT_ID(n)`) when the connection holds another
 * value; FOUND_ROWS() and ROW_COUNT() inside a larger statement are only right on the connection
 * that ran the session's previous statement, with nothing run there since — anything else is
 * refused rather than answered wrong (alone, `SELECT FOUND_ROWS()` is answered by Cathode).
 * Undefined when nothing needs doing (the usual case).
 */
export function prepareSessionFunctions(
  connection: BackendConnection,
  analysis: StatementAnalysis,
  outcomes: StatementOutcomes,
  lastConnection: BackendConnection | undefined,
  lastSerial: number,
): Promise<void> | undefined {
  const functions = analysis.sessionFunctions;
  if (functions === 0) return undefined;
  const applied = appliedStateOf(connection);
  const setLastInsertId = (functions & SessionFunction.LAST_INSERT_ID) !== 0 && applied.lastInsertId !== outcomes.lastInsertId;
  // Setting LAST_INSERT_ID is a statement too: ROW_COUNT() would then be its.
  if (functions & NEEDS_LAST_STATEMENT && (lastConnection !== connection || lastSerial !== applied.statementSerial || setLastInsertId)) {
    throw SqlError.of('ER_NOT_SUPPORTED_YET', "FOUND_ROWS() or ROW_COUNT() inside a statement once the previous statement's backend connection has served another (send SELECT FOUND_ROWS() or SELECT ROW_COUNT() alone)");
  }
  if (!setLastInsertId) return undefined;
  const value = outcomes.lastInsertId;
  return connection.query(`DO LAST_INSERT_ID(${integerLiteral(value)})`).then(() => {
    applied.lastInsertId = value;
  });
}

/** After a statement on `connection`: what the server now holds there; returns the statement's serial. */
export function recordStatement(connection: BackendConnection, lastInsertId: number | bigint): number {
  const applied = appliedStateOf(connection);
  if (lastInsertId !== 0) applied.lastInsertId = lastInsertId;
  return ++applied.statementSerial;
}
