import { SqlError } from '@cathode/wire';
import { applicableProcessListTables } from '../session/processlist-table.ts';
import { applyReplacements, connectionIdReplacements } from '../sql/rewrite.ts';
import type { StatementAnalysis } from '../sql/statement-analysis-result.ts';

/**
 * The SQL a COM_STMT_PREPARE has the backend prepare, as the client's bytes (in its character set,
 * never re-encoded). CONNECTION_ID() is the session's id, fixed
 * for the statement's life, so it is written in now; the shared statements' key is made from this
 * text, so no other session shares it. A process list would be fixed at prepare time too, and the
 * backend's own lists other sessions' backend threads: refused (the text protocol answers them).
 */
export function preparedText(payload: Buffer, analysis: StatementAnalysis, connectionId: number, schema: string | undefined): Buffer {
  if (analysis.processList !== undefined || applicableProcessListTables(analysis.processListTables, schema).length > 0) {
    throw SqlError.of('ER_NOT_SUPPORTED_YET', 'SHOW PROCESSLIST or information_schema.PROCESSLIST in a prepared statement (send it as a text query)');
  }
  if (analysis.connectionIdCalls.length === 0) return Buffer.from(payload.subarray(1));
  return applyReplacements(payload, 1, connectionIdReplacements(analysis.connectionIdCalls, connectionId)).subarray(1);
}
