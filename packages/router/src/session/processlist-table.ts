import { binaryLiteral, escapeIdentifier, integerLiteral, utf8mb4Literal } from '../sql/escape.ts';
import type { ProcessListTableReference } from '../sql/statement-analysis-result.ts';
import type { Replacement } from '../sql/rewrite.ts';
import type { ProcessRow } from './processlist.ts';

const nullable = (value: string | null) => (value === null ? 'NULL' : utf8mb4Literal(value));

/**
 * Cathode's sessions as a derived table that stands where information_schema.PROCESSLIST was, so
 * the backend still evaluates the statement's columns, WHERE and ORDER BY over them. Its first,
 * empty part reads the real table: the backend takes the column names (ID, USER, … TID, as its
 * version has them) and types from there, and the literal rows follow them (MariaDB 10.11's
 * eighteen columns). Every literal goes through escape.ts.
 */
export function processListDerivedTable(rows: readonly ProcessRow[]): string {
  let sql = '(SELECT * FROM information_schema.PROCESSLIST WHERE 0';
  for (const row of rows) {
    const timeMs = integerLiteral(Math.max(0, Math.floor(row.timeMs)));
    const values = [
      integerLiteral(row.id),
      utf8mb4Literal(row.user),
      utf8mb4Literal(row.host),
      nullable(row.db),
      utf8mb4Literal(row.command),
      integerLiteral(Math.floor(row.timeMs / 1000)),
      nullable(row.state),
      nullable(row.info),
      timeMs, // TIME_MS: the column is DECIMAL(22,3)
      '0', // STAGE
      '0', // MAX_STAGE
      '0', // PROGRESS
      '0', // MEMORY_USED
      '0', // MAX_MEMORY_USED
      '0', // EXAMINED_ROWS
      '0', // QUERY_ID
      row.info === null ? 'NULL' : binaryLiteral(Buffer.from(row.info, 'utf8')), // INFO_BINARY
      '0', // TID: no operating system thread of its own
    ];
    sql += ` UNION ALL SELECT ${values.join(', ')}`;
  }
  return `${sql})`;
}

/** The references that are information_schema's table: an unqualified PROCESSLIST only is when that is the session's schema. */
export function applicableProcessListTables(references: readonly ProcessListTableReference[], schema: string | undefined): ProcessListTableReference[] {
  const inInformationSchema = schema?.toLowerCase() === 'information_schema';
  return references.filter((reference) => reference.qualified || inInformationSchema);
}

/** Each reference becomes the derived table, named after the table as written unless the statement gives an alias. */
export function processListReplacements(references: readonly ProcessListTableReference[], derivedTable: string): Replacement[] {
  return references.map((reference) => ({
    start: reference.start,
    end: reference.end,
    text: reference.aliased ? derivedTable : `${derivedTable} AS ${escapeIdentifier(reference.name)}`,
  }));
}
