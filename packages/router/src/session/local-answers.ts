import { type ClientConnection, ResultWriter, sessionFunctionColumn, writeSingleValue } from '@cathode/frontend';
import { SqlError, framePayload } from '@cathode/wire';
import { applyReplacements, connectionIdReplacements } from '../sql/rewrite.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';
import { FULL_INFO_LENGTH, SHORT_INFO_LENGTH, writeProcessList } from './processlist.ts';
import { applicableProcessListTables, processListDerivedTable, processListReplacements } from './processlist-table.ts';
import type { SessionRegistry } from './session-registry.ts';
import type { StatementOutcomes } from './statement-outcomes.ts';

/** What the answers Cathode gives from its own state need of the session. */
export interface AnsweringSession {
  readonly connectionId: number;
  readonly connection: ClientConnection;
  readonly outcomes: StatementOutcomes;
  readonly statusFlags: number;
  readonly context: { registry: SessionRegistry };
  /** The session's default schema. */
  readonly schema: string | undefined;
  /** Whose sessions it may see: its own user's, or everyone's (undefined) for an admin. */
  readonly processListUser: string | undefined;
  /** A writer for this command's response, in the client's flavor. */
  resultWriter(): ResultWriter;
}

/** `SELECT LAST_INSERT_ID()` and its kin: the session's own values, whichever connection ran the statements before. */
export function answerSessionFunction(session: AnsweringSession, answer: NonNullable<StatementAnalysis['localAnswer']>): void {
  const { outcomes } = session;
  const value =
    answer.function === 'LAST_INSERT_ID' ? outcomes.lastInsertId
    : answer.function === 'FOUND_ROWS' ? outcomes.foundRows
    : answer.function === 'ROW_COUNT' ? outcomes.rowCount
    : session.connectionId;
  writeSingleValue(session.resultWriter(), sessionFunctionColumn(answer.function, answer.columnName), value, { statusFlags: session.statusFlags });
  // A SELECT: FOUND_ROWS() is now 1 and ROW_COUNT() -1, as on MariaDB.
  outcomes.foundRows = 1;
  outcomes.rowCount = -1;
}

/** SHOW [FULL] PROCESSLIST: Cathode's sessions on every reactor, the user's own (everyone's for an admin). */
export async function showProcessList(session: AnsweringSession, analysis: StatementAnalysis): Promise<void> {
  if (analysis.statementCount > 1) throw SqlError.of('ER_NOT_SUPPORTED_YET', 'SHOW PROCESSLIST inside a multi-statement text');
  const full = analysis.processList?.full ?? false;
  const rows = await session.context.registry.gatherProcessList({ user: session.processListUser, infoLimit: full ? FULL_INFO_LENGTH : SHORT_INFO_LENGTH });
  writeProcessList(session.resultWriter(), rows, full, session.statusFlags);
  session.outcomes.foundRows = rows.length;
  session.outcomes.rowCount = -1;
}

/**
 * The text with the session's id for each CONNECTION_ID() and Cathode's sessions for each
 * information_schema.PROCESSLIST table, framed as a COM_QUERY: the backend evaluates the rest.
 */
export async function rewrittenQuery(session: AnsweringSession, payload: Buffer, analysis: StatementAnalysis): Promise<Buffer> {
  const replacements = connectionIdReplacements(analysis.connectionIdCalls, session.connectionId);
  const tables = applicableProcessListTables(analysis.processListTables, session.schema);
  if (tables.length > 0) {
    const rows = await session.context.registry.gatherProcessList({ user: session.processListUser, infoLimit: FULL_INFO_LENGTH });
    replacements.push(...processListReplacements(tables, processListDerivedTable(rows)));
  }
  return framePayload(applyReplacements(payload, 1, replacements), 0).bytes;
}
