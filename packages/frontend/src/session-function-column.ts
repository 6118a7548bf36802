import { Collation, ColumnFlags, ColumnType } from '@cathode/wire';
import type { ResultColumn } from './result-column.ts';

/** Functions whose value is session state Cathode keeps, so it can answer `SELECT f()` itself. */
export type SessionFunction = 'LAST_INSERT_ID' | 'FOUND_ROWS' | 'ROW_COUNT' | 'CONNECTION_ID';

// As MariaDB 10.11 describes each function's column (captured; see session-function-column.test.ts).
const UNSIGNED_NOT_NULL = ColumnFlags.NOT_NULL | ColumnFlags.UNSIGNED | ColumnFlags.BINARY;
const SIGNED_NOT_NULL = ColumnFlags.NOT_NULL | ColumnFlags.BINARY;
const columns: Record<SessionFunction, Omit<ResultColumn, 'name'>> = {
  LAST_INSERT_ID: { type: ColumnType.LONGLONG, flags: UNSIGNED_NOT_NULL, characterSet: Collation.binary, columnLength: 21, decimals: 0 },
  FOUND_ROWS: { type: ColumnType.LONGLONG, flags: SIGNED_NOT_NULL, characterSet: Collation.binary, columnLength: 21, decimals: 0 },
  ROW_COUNT: { type: ColumnType.LONGLONG, flags: SIGNED_NOT_NULL, characterSet: Collation.binary, columnLength: 21, decimals: 0 },
  // A 32-bit unsigned LONG: connection ids must stay below 2^32 to fit it.
  CONNECTION_ID: { type: ColumnType.LONG, flags: UNSIGNED_NOT_NULL, characterSet: Collation.binary, columnLength: 10, decimals: 0 },
};

/**
 * The column MariaDB sends for `SELECT f()`. `name` is what the client wrote (the expression's text
 * as typed, e.g. 'last_insert_id()', or its alias): MariaDB names the column after it.
 */
export function sessionFunctionColumn(fn: SessionFunction, name = `${fn}()`): ResultColumn {
  return { name, ...columns[fn] };
}
