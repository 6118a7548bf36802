/** Bits of `StatementAnalysis.sessionFunctions`: functions whose value is the session's, not the connection's. */
export const SessionFunction = {
  /** LAST_INSERT_ID() without an argument: reads the session's last insert id. */
  LAST_INSERT_ID: 1,
  /** LAST_INSERT_ID(expr): sets it (and returns expr). */
  LAST_INSERT_ID_SET: 2,
  FOUND_ROWS: 4,
  ROW_COUNT: 8,
  CONNECTION_ID: 16,
} as const;

export type LocallyAnsweredFunction = 'LAST_INSERT_ID' | 'FOUND_ROWS' | 'ROW_COUNT' | 'CONNECTION_ID';

/** An information_schema.PROCESSLIST table in a FROM or JOIN clause: where Cathode puts its own rows instead. */
export interface ProcessListTableReference {
  /** Byte range of the reference (`information_schema . PROCESSLIST` or `PROCESSLIST`). */
  readonly start: number;
  readonly end: number;
  /** Named with its schema; an unqualified PROCESSLIST only means it when the session's schema is information_schema. */
  readonly qualified: boolean;
  /** The table name as written (what the statement may qualify columns with when no alias follows). */
  readonly name: string;
  /** An alias follows the reference. */
  readonly aliased: boolean;
}

/** One KILL statement, in the order of the statements of the text. */
export interface KillStatement {
  /** `KILL [CONNECTION|QUERY] n` names a connection id; `KILL QUERY ID n` a query id; `KILL [..] USER u` an account. */
  target: { connectionId: bigint } | { queryId: bigint } | { user: string; host: string | undefined };
  /** QUERY: only the running statement is interrupted. */
  queryOnly: boolean;
  /** MariaDB's default is HARD; only `KILL SOFT` is soft. */
  hard: boolean;
  /** Index of the statement in the text (see `statementRanges`). */
  statementIndex: number;
}

/** What a statement text does, as far as routing, session state and authorization must know. */
export interface StatementAnalysis {
  /** Statements in a multi-statement text (top-level `;`; empty ones are not counted; a BEGIN … END block is one). */
  readonly statementCount: number;
  /** First keyword of each statement, upper case (for `SET STATEMENT … FOR s`, the kind of s). */
  readonly kinds: readonly string[];
  /** Byte offsets [start0, end0, start1, end1, …] of each statement (without its `;`). */
  readonly statementRanges: readonly number[];
  /** `USE db` (the last one), unquoted as written. */
  readonly schema: string | undefined;
  /** Replayable text of SET NAMES / SET CHARACTER SET / SET CHARSET, e.g. "NAMES 'gbk' COLLATE 'gbk_bin'". */
  readonly names: string | undefined;
  /** character_set_client after the text, lower case, when it sets it (SET NAMES, CHARACTER SET, CHARSET, character_set_client =). */
  readonly namesCharset: string | undefined;
  /** Session variables set to constants: lower-case name -> "@@session.name = <value text>". */
  readonly variables: ReadonlyMap<string, string>;
  /** The constant assigned to sql_mode, unquoted ('DEFAULT' means the global value, which the caller resolves). */
  readonly sqlMode: string | undefined;
  /** Why the connection must stay with the session afterwards (the first reason found). */
  readonly pinReason: string | undefined;
  /** `SET @x = <constant>`: lower-case name -> replayable "@x = <value text>" (no pin: the session re-applies them). */
  readonly userVariables: ReadonlyMap<string, string>;
  /** The text reads user variables (SELECT @x, …): the session's user variables must be applied first. */
  readonly readsUserVariables: boolean;
  readonly unlocksTables: boolean;
  readonly releasesAllLocks: boolean;
  readonly releasesLock: boolean;
  /** CREATE TEMPORARY TABLE names, "table" or "schema.table" as written. */
  readonly temporaryTablesCreated: readonly string[];
  /** DROP [TEMPORARY] TABLE names, same form. */
  readonly temporaryTablesDropped: readonly string[];
  /** Every KILL of the text, in order. */
  readonly kills: readonly KillStatement[];
  /** Why Cathode cannot know the connection's session state afterwards (reset it before another session uses it). */
  readonly untracked: string | undefined;
  /**
   * Why the sql_mode or character_set_client in force after the text cannot be read from it (a
   * computed or DEFAULT value, CALL, EXECUTE, a block that sets them, …): before lexing the next
   * text, read @@session.sql_mode and @@session.character_set_client from the connection. Statements
   * after such a change in the same text are refused for non-admins (adminReason).
   */
  readonly lexSettingsUnknown: string | undefined;
  /** Every database the text names, unquoted as written (compare case-insensitively when lower_case_table_names is set). */
  readonly schemasReferenced: readonly string[];
  /** Why only an admin user may run the text. */
  readonly adminReason: string | undefined;
  /** LOAD DATA / LOAD XML LOCAL INFILE: the only statements for which a backend may ask for a client file. */
  readonly localInfile: boolean;
  /** Bit set of `SessionFunction`. */
  readonly sessionFunctions: number;
  readonly calcFoundRows: boolean;
  /** The whole text is `SELECT f() [[AS] alias] [FROM DUAL]`: Cathode can answer it from session state. */
  readonly localAnswer: { function: LocallyAnsweredFunction; columnName: string } | undefined;
  /** SHOW [FULL] PROCESSLIST. */
  readonly processList: { full: boolean } | undefined;
  /** Names information_schema.PROCESSLIST (qualified; or unqualified PROCESSLIST as a table, which only means it when the session's schema is information_schema). */
  readonly readsProcessListTable: boolean;
  /** The information_schema.PROCESSLIST references of FROM/JOIN clauses at the top level of the text, in order. */
  readonly processListTables: readonly ProcessListTableReference[];
  /**
   * Byte ranges [start0, end0, …] of each `CONNECTION_ID()` call at the top level of a statement that
   * runs now (SELECT, INSERT, UPDATE, … but not a CREATE VIEW or a stored program's body): Cathode
   * writes the session's id there.
   */
  readonly connectionIdCalls: readonly number[];
}

export type MutableAnalysis = { -readonly [P in keyof StatementAnalysis]: StatementAnalysis[P] };

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_KILLS: readonly KillStatement[] = Object.freeze([]);
const NO_PROCESS_LIST_TABLES: readonly ProcessListTableReference[] = Object.freeze([]);
const NO_ENTRIES: ReadonlyMap<string, string> = new Map();

/** A fresh result; its collections are shared empty ones until something is added (see the add helpers). */
export function emptyAnalysis(): MutableAnalysis {
  return {
    statementCount: 0,
    kinds: NO_STRINGS,
    statementRanges: NO_STRINGS as unknown as readonly number[],
    schema: undefined,
    names: undefined,
    namesCharset: undefined,
    variables: NO_ENTRIES,
    sqlMode: undefined,
    pinReason: undefined,
    userVariables: NO_ENTRIES,
    readsUserVariables: false,
    unlocksTables: false,
    releasesAllLocks: false,
    releasesLock: false,
    temporaryTablesCreated: NO_STRINGS,
    temporaryTablesDropped: NO_STRINGS,
    kills: NO_KILLS,
    untracked: undefined,
    lexSettingsUnknown: undefined,
    schemasReferenced: NO_STRINGS,
    adminReason: undefined,
    localInfile: false,
    sessionFunctions: 0,
    calcFoundRows: false,
    localAnswer: undefined,
    processList: undefined,
    readsProcessListTable: false,
    processListTables: NO_PROCESS_LIST_TABLES,
    connectionIdCalls: NO_STRINGS as unknown as readonly number[],
  };
}

/** Appends to one of the result's lists, replacing the shared empty list on first use. */
export function appendTo<T>(list: readonly T[], value: T): T[] {
  const target = Object.isFrozen(list) ? [] : (list as T[]);
  target.push(value);
  return target;
}

/** Sets an entry of one of the result's maps, replacing the shared empty map on first use. */
export function setIn(map: ReadonlyMap<string, string>, key: string, value: string): Map<string, string> {
  const target = map === NO_ENTRIES ? new Map<string, string>() : (map as Map<string, string>);
  target.set(key, value);
  return target;
}
