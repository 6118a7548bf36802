import { K, keywordText } from './keywords.ts';
import { definition, loadStatement, objectIndex } from './definition-statement.ts';
import { classifyKill } from './kill-statement.ts';
import { classifySet } from './set-statement.ts';
import { classifyShow } from './show-statement.ts';
import { appendTo, emptyAnalysis, type StatementAnalysis } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { scanReferences } from './table-references.ts';
import { Tok, VERSIONED } from './token-list.ts';

/** Statement kinds that change no session state beyond what the reference scan finds. */
const PLAIN = new Set<number>([
  K.SELECT, K.WITH, K.VALUES, K.TABLE, K.DO, K.INSERT, K.UPDATE, K.DELETE, K.REPLACE, K.DESCRIBE, K.DESC, K.EXPLAIN,
  K.BEGIN, K.COMMIT, K.ROLLBACK, K.SAVEPOINT, K.TRUNCATE, K.CHECK, K.CHECKSUM, K.OPTIMIZE, K.REPAIR, K.HELP,
  K.SIGNAL, K.RESIGNAL, K.GET,
]);

/** Statements for admins only, by their first keyword. */
const ADMIN_FIRST = new Map<number, string>([
  [K.SHUTDOWN, 'SHUTDOWN'], [K.RESTART, 'RESTART'], [K.RESET, 'RESET'], [K.PURGE, 'PURGE'], [K.CHANGE, 'CHANGE MASTER'],
  [K.STOP, 'STOP SLAVE'], [K.BINLOG, 'BINLOG'], [K.INSTALL, 'INSTALL'], [K.UNINSTALL, 'UNINSTALL'], [K.CACHE, 'CACHE INDEX'],
  [K.BACKUP, 'BACKUP'], [K.FLUSH, 'FLUSH'], [K.GRANT, 'GRANT'], [K.REVOKE, 'REVOKE'],
]);



/** Upper-case kind of the statement starting at `from`: its first keyword (a parenthesised query is a SELECT). */
export function statementKind(r: StatementReader, from: number, to: number): string {
  let i = from;
  while (i < to && r.kind(i) === Tok.OPEN_PAREN) i++;
  const kind = r.kind(i);
  if (kind === Tok.WORD) return r.upper(i);
  return i < to ? r.text(i, i) : '';
}

/**
 * Classifies the statement r.from … r.to - 1. A compound statement (BEGIN … END, IF …, a stored
 * program's body) is classified part by part, each `;`-separated part for admin rights and
 * schemas; its session effects are not tracked (they may depend on a branch taken).
 */
export function classifyStatement(r: StatementReader, compound: boolean): string {
  const from = r.from;
  const to = r.to;
  r.versioned = false;
  for (let i = from; i < to; i++) {
    if (r.tokens.flags[i] & VERSIONED) {
      r.versioned = true;
      r.untracked('version-gated executable comment');
      break;
    }
  }
  const first = r.kw(from);
  const storedProgram = (first === K.CREATE || first === K.ALTER) && STORED_PROGRAMS.has(r.kw(objectIndex(r, from + 1, to)));
  let kind: string;
  if (!compound) {
    kind = classifyPart(r, from, to);
  } else {
    if (!storedProgram) {
      r.pin('compound statement');
      r.untracked('compound statement');
    }
    const parts = emptyAnalysis();
    const outer = r.swapResult(parts);
    let start = from;
    for (let i = from; i <= to; i++) {
      if (i < to && r.kind(i) !== Tok.SEMICOLON) continue;
      if (i > start) classifyPart(r, start, i);
      start = i + 1;
    }
    r.swapResult(outer);
    mergeAuthorization(r, parts, storedProgram ? '' : undefined);
    kind = storedProgram ? keywordText(first) : statementKind(r, from, to);
  }
  if (compound || storedProgram) checkEmbeddedStatements(r, from + 1, to, !storedProgram);
  return kind;
}

const STORED_PROGRAMS = new Set<number>([K.PROCEDURE, K.FUNCTION, K.TRIGGER, K.EVENT, K.PACKAGE]);

/** First keywords of statements that may need admin rights (or change how later statements are lexed). */
const ADMIN_CAPABLE = new Set<number>([
  K.SET, K.SHUTDOWN, K.RESTART, K.RESET, K.PURGE, K.CHANGE, K.START, K.STOP, K.BINLOG, K.INSTALL, K.UNINSTALL, K.CACHE,
  K.BACKUP, K.FLUSH, K.GRANT, K.REVOKE, K.CREATE, K.ALTER, K.DROP, K.RENAME, K.KILL, K.LOAD, K.SHOW, K.PREPARE, K.EXECUTE,
  K.CALL, // not admin, but what it runs may change sql_mode or the character set
]);

/** Whether a statement that may need admin rights can start at i inside a stored program or block (where statements nest). */
function adminStatementAt(r: StatementReader, i: number): boolean {
  const keyword = r.kw(i);
  if (!ADMIN_CAPABLE.has(keyword)) return false;
  const next = r.kw(i + 1);
  const before = r.kind(i - 1);
  switch (keyword) {
    case K.SET: {
      // Not `UPDATE t SET`, `CHARACTER SET`, `ON DELETE SET NULL`.
      const previous = r.kw(i - 1);
      return !((before === Tok.WORD && previous === 0) || before === Tok.QUOTED_IDENTIFIER || previous === K.CHARACTER || previous === K.DELETE || previous === K.UPDATE);
    }
    case K.CHANGE:
      return next === K.MASTER || next === K.REPLICATION;
    case K.CACHE:
      return next === K.INDEX;
    case K.RESTART:
      return r.kind(i + 1) === 0 || r.kind(i + 1) === Tok.SEMICOLON;
    case K.LOAD:
      return next === K.DATA || next === K.XML || next === K.INDEX;
    case K.PREPARE:
      return r.kw(i - 1) !== K.XA;
    default:
      return true;
  }
}

/**
 * Statements nested in a stored program or a block (`CREATE PROCEDURE p() SET GLOBAL …`, `BEGIN
 * NOT ATOMIC … SHUTDOWN; END`), each classified from its first keyword to the next `;` or nested
 * start, for admin rights only: a stored program runs later with its definer's rights.
 */
function checkEmbeddedStatements(r: StatementReader, from: number, to: number, runsNow: boolean): void {
  const scratch = emptyAnalysis();
  const outer = r.swapResult(scratch);
  for (let i = from; i < to; ) {
    if (!adminStatementAt(r, i)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < to && r.kind(end) !== Tok.SEMICOLON && !adminStatementAt(r, end)) end++;
    classifyPart(r, i, end);
    i = end;
  }
  r.swapResult(outer);
  mergeAuthorization(r, scratch, '');
  if (runsNow && (scratch.sqlMode !== undefined || scratch.namesCharset !== undefined || scratch.lexSettingsUnknown !== undefined)) {
    r.lexSettingsUnknown('sql_mode or character set changed inside a block');
  }
}

/** Carries over from an inner analysis what authorization needs (and, when `effects` is undefined, the rest of what applies now). */
function mergeAuthorization(r: StatementReader, inner: StatementAnalysis, effects: string | undefined, immediate = false): void {
  for (const schema of inner.schemasReferenced) r.schema(schema);
  if (inner.adminReason !== undefined) r.admin(inner.adminReason);
  if (inner.kills.length > 0) r.admin('KILL inside another statement');
  if (inner.readsProcessListTable) r.result.readsProcessListTable = true;
  if (effects !== undefined) return;
  const result = r.result;
  if (inner.pinReason !== undefined) r.pin(inner.pinReason);
  if (inner.untracked !== undefined) r.untracked(inner.untracked);
  // What a literal EXECUTE IMMEDIATE sets is known; what a block sets may depend on a branch.
  if (inner.lexSettingsUnknown !== undefined) r.lexSettingsUnknown(inner.lexSettingsUnknown);
  if (immediate) {
    if (inner.sqlMode !== undefined) result.sqlMode = inner.sqlMode;
    if (inner.namesCharset !== undefined) result.namesCharset = inner.namesCharset;
  } else if (inner.sqlMode !== undefined || inner.namesCharset !== undefined) {
    r.lexSettingsUnknown('sql_mode or character set changed inside a block');
  }
  if (inner.readsUserVariables || inner.userVariables.size > 0) result.readsUserVariables = true;
  if (inner.userVariables.size > 0 || inner.variables.size > 0 || inner.schema !== undefined || inner.names !== undefined) r.untracked('session change inside another statement');
  result.sessionFunctions |= inner.sessionFunctions;
  result.calcFoundRows ||= inner.calcFoundRows;
  result.releasesLock ||= inner.releasesLock;
  result.releasesAllLocks ||= inner.releasesAllLocks;
  result.unlocksTables ||= inner.unlocksTables;
  for (const name of inner.temporaryTablesCreated) result.temporaryTablesCreated = appendTo(result.temporaryTablesCreated, name);
  for (const name of inner.temporaryTablesDropped) result.temporaryTablesDropped = appendTo(result.temporaryTablesDropped, name);
}

/** Classifies one simple statement from … to - 1; returns its kind. */
function classifyPart(r: StatementReader, from: number, to: number): string {
  const first = r.kw(from);
  const second = r.kw(from + 1);
  const kind = statementKind(r, from, to);
  const admin = ADMIN_FIRST.get(first);
  if (admin !== undefined) {
    r.admin(admin);
    if (first === K.FLUSH && r.hasKeyword(K.LOCK, from, to)) r.pin('FLUSH … LOCK');
  }
  if ((first === K.EXPLAIN || first === K.DESCRIBE || first === K.DESC) && second === K.FOR && r.kw(from + 2) === K.CONNECTION) {
    // Takes a backend thread id, which a client never sees (Cathode hands out its own ids).
    r.admin('EXPLAIN FOR CONNECTION');
  }
  if (PLAIN.has(first) || r.kind(from) === Tok.OPEN_PAREN || admin !== undefined) {
    if (first === K.COMMIT || first === K.ROLLBACK) commitOrRollback(r, from, to);
    scanReferences(r, from, to, first);
    return kind;
  }
  switch (first) {
    case K.SET: {
      const inner = classifySet(r, from, to);
      return inner === undefined ? kind : classifyPart(r, inner, to);
    }
    case K.USE: {
      const schema = r.nameOrString(from + 1);
      if (schema === undefined) r.untracked('unrecognised USE');
      else {
        r.result.schema = schema;
        r.schema(schema);
      }
      return kind;
    }
    case K.SHOW:
      classifyShow(r, from, to);
      scanReferences(r, from, to, first);
      return kind;
    case K.KILL:
      classifyKill(r, from, to);
      return kind;
    case K.START:
      if (second !== K.TRANSACTION) r.admin(`START ${r.upper(from + 1)}`);
      scanReferences(r, from, to, first);
      return kind;
    case K.RELEASE:
      if (second !== K.SAVEPOINT) r.untracked('unrecognised RELEASE');
      return kind;
    case K.ANALYZE:
      if (second === K.TABLE) scanReferences(r, from, to, first);
      else classifyPart(r, from + 1, to); // ANALYZE <statement> runs it
      return kind;
    case K.XA:
      r.pin('XA transaction');
      return kind;
    case K.LOCK:
      if (second === K.TABLE || second === K.TABLES) r.pin('LOCK TABLES');
      else r.untracked(`statement LOCK ${r.upper(from + 1)}`);
      scanReferences(r, from, to, first);
      return kind;
    case K.UNLOCK:
      if (second === K.TABLE || second === K.TABLES) r.result.unlocksTables = true;
      else r.untracked('unrecognised UNLOCK');
      return kind;
    case K.HANDLER:
      r.pin('HANDLER');
      scanReferences(r, from, to, first);
      return kind;
    case K.PREPARE:
      r.pin('SQL prepared statement');
      dynamicSql(r, from + 2, to, false);
      return kind;
    case K.EXECUTE:
      if (second === K.IMMEDIATE) {
        r.untracked('EXECUTE IMMEDIATE');
        dynamicSql(r, from + 1, to, true);
      } else {
        r.pin('SQL prepared statement');
        r.lexSettingsUnknown('EXECUTE');
        scanReferences(r, from + 2, to, first);
      }
      return kind;
    case K.DEALLOCATE:
      r.pin('SQL prepared statement');
      return kind;
    case K.CALL:
      r.untracked('CALL');
      r.lexSettingsUnknown('CALL');
      scanReferences(r, from, to, first);
      return kind;
    case K.LOAD:
      loadStatement(r, from, to);
      scanReferences(r, from, to, first);
      return kind;
    case K.CREATE:
    case K.ALTER:
    case K.DROP:
    case K.RENAME:
      definition(r, first, from, to);
      scanReferences(r, from, to, first);
      return kind;
    default:
      r.untracked(`statement ${kind}`);
      scanReferences(r, from, to, first);
      return kind;
  }
}

/** COMMIT … RELEASE / ROLLBACK … RELEASE closes the connection. */
function commitOrRollback(r: StatementReader, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    if (r.kw(i) === K.RELEASE && r.kw(i - 1) !== K.NO) r.untracked(`${keywordText(r.kw(from))} RELEASE`);
  }
}

/** PREPARE s FROM <text> / EXECUTE IMMEDIATE <text>, with `at` at the FROM or IMMEDIATE token. */
function dynamicSql(r: StatementReader, at: number, to: number, runsNow: boolean): void {
  const text = literalText(r, at + 1, to);
  if (text === undefined || r.nested === undefined) {
    r.admin('dynamic SQL');
    r.untracked('dynamic SQL');
    if (runsNow) r.lexSettingsUnknown('dynamic SQL');
    scanReferences(r, at + 1, to, 0);
    return;
  }
  mergeAuthorization(r, r.nested(r, text), runsNow ? undefined : '', runsNow);
  if (runsNow) scanReferences(r, at + 1, to, 0);
}

/** The bytes of a string literal (adjacent literals concatenated, an introducer allowed) that makes up from … to - 1. */
function literalText(r: StatementReader, from: number, to: number): Buffer | undefined {
  let i = from;
  if (r.kind(i) === Tok.WORD && r.byte(i) === 95) i++;
  if (r.kind(i) !== Tok.STRING) return undefined;
  const parts: Buffer[] = [];
  for (; i < to && r.kind(i) === Tok.STRING; i++) {
    const bytes = r.stringBytes(i);
    if (bytes === undefined) return undefined;
    parts.push(bytes);
  }
  // EXECUTE IMMEDIATE '…' USING …: the parameters are expressions of the outer statement.
  if (i < to && r.kw(i) !== K.USING) return undefined;
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

