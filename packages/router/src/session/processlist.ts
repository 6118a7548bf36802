import { type ResultColumn, ResultWriter } from '@cathode/frontend';
import { Collation, ColumnFlags, ColumnType, CommandByte } from '@cathode/wire';

/** One session as SHOW PROCESSLIST and information_schema.PROCESSLIST show it. Plain data: it crosses threads. */
export interface ProcessRow {
  /** Cathode's connection id (the one KILL takes). */
  id: number;
  user: string;
  /** Client address:port. */
  host: string;
  db: string | null;
  /** MariaDB's name of the command being served, or 'Sleep'. */
  command: string;
  /** Milliseconds in the current state (since the command started, or since the last one ended). */
  timeMs: number;
  state: string | null;
  /** The running statement's text, cut to the request's infoLimit characters; null when idle. */
  info: string | null;
}

/** Which sessions to list, and how much of each statement's text. */
export interface ProcessListRequest {
  /** Only this user's sessions; undefined: everyone's (an admin asks). */
  user: string | undefined;
  infoLimit: number;
}

/** SHOW PROCESSLIST cuts Info to this many characters (MariaDB's PROCESS_LIST_WIDTH); FULL does not. */
export const SHORT_INFO_LENGTH = 100;
/** What SHOW FULL PROCESSLIST and information_schema.PROCESSLIST show of a statement at most (MariaDB's PROCESS_LIST_INFO_WIDTH). */
export const FULL_INFO_LENGTH = 65535;

/** MariaDB's command names (sql_parse.cc), by command byte. */
const COMMAND_NAMES = new Map<number, string>([
  [CommandByte.COM_SLEEP, 'Sleep'],
  [CommandByte.COM_QUIT, 'Quit'],
  [CommandByte.COM_INIT_DB, 'Init DB'],
  [CommandByte.COM_QUERY, 'Query'],
  [CommandByte.COM_FIELD_LIST, 'Field List'],
  [CommandByte.COM_STATISTICS, 'Statistics'],
  [CommandByte.COM_PROCESS_INFO, 'Processlist'],
  [CommandByte.COM_PROCESS_KILL, 'Kill'],
  [CommandByte.COM_PING, 'Ping'],
  [CommandByte.COM_CHANGE_USER, 'Change user'],
  [CommandByte.COM_STMT_PREPARE, 'Prepare'],
  [CommandByte.COM_STMT_EXECUTE, 'Execute'],
  [CommandByte.COM_STMT_SEND_LONG_DATA, 'Long Data'],
  [CommandByte.COM_STMT_CLOSE, 'Close stmt'],
  [CommandByte.COM_STMT_RESET, 'Reset stmt'],
  [CommandByte.COM_SET_OPTION, 'Set option'],
  [CommandByte.COM_STMT_FETCH, 'Fetch'],
  [CommandByte.COM_RESET_CONNECTION, 'Reset connection'],
  [CommandByte.COM_STMT_BULK_EXECUTE, 'Bulk_execute'],
]);

export function commandName(commandByte: number): string {
  return COMMAND_NAMES.get(commandByte) ?? 'Error';
}

/**
 * The text of the statement a command runs, decoded only when a process list asks for it: a
 * query's or prepare's text, an execute's prepared SQL (looked up by the client's statement id,
 * read when the command arrived).
 */
export function statementTextOf(payload: Buffer, statementId: number, infoLimit: number, preparedSql: (statementId: number) => string | undefined): string | null {
  const command = payload[0];
  let text: string | undefined;
  if (command === CommandByte.COM_QUERY || command === CommandByte.COM_STMT_PREPARE) {
    // At most 4 bytes a character: no need to decode more than the limit can show.
    text = payload.toString('utf8', 1, Math.min(payload.length, 1 + infoLimit * 4));
  } else if (command === CommandByte.COM_STMT_EXECUTE || command === CommandByte.COM_STMT_BULK_EXECUTE) {
    text = preparedSql(statementId);
  }
  if (text === undefined) return null;
  return text.length > infoLimit ? text.slice(0, infoLimit) : text;
}

const NOT_NULL_NUMBER = ColumnFlags.NOT_NULL | ColumnFlags.BINARY;
/** Text column lengths are in bytes of utf8mb4 (4 a character), as MariaDB 10.11 sends them. */
const text = (name: string, characters: number, notNull: boolean): ResultColumn => ({
  name,
  type: ColumnType.VAR_STRING,
  flags: notNull ? ColumnFlags.NOT_NULL : 0,
  columnLength: characters * 4,
  decimals: 39,
});

/** SHOW [FULL] PROCESSLIST's columns, as MariaDB 10.11 describes them. */
export function showProcessListColumns(full: boolean): ResultColumn[] {
  return [
    { name: 'Id', type: ColumnType.LONGLONG, flags: NOT_NULL_NUMBER, characterSet: Collation.binary, columnLength: 11 },
    text('User', 128, true),
    text('Host', 64, true),
    text('db', 64, false),
    text('Command', 16, true),
    { name: 'Time', type: ColumnType.LONG, flags: NOT_NULL_NUMBER, characterSet: Collation.binary, columnLength: 7 },
    text('State', 30, false),
    full ? { name: 'Info', type: ColumnType.LONG_BLOB, flags: 0, columnLength: 0xc0000000, decimals: 39 } : text('Info', SHORT_INFO_LENGTH, false),
    { name: 'Progress', type: ColumnType.DOUBLE, flags: NOT_NULL_NUMBER, characterSet: Collation.binary, columnLength: 7, decimals: 3 },
  ];
}


/** Writes SHOW [FULL] PROCESSLIST's result set. */
export function writeProcessList(writer: ResultWriter, rows: readonly ProcessRow[], full: boolean, statusFlags: number): void {
  writer.columns(showProcessListColumns(full), { statusFlags });
  for (const row of rows) {
    writer.textRow([row.id, row.user, row.host, row.db, row.command, Math.floor(row.timeMs / 1000), row.state, row.info, '0.000']);
  }
  writer.end({ statusFlags });
}
