import { K } from './keywords.ts';
import { type ProcessListTableReference, SessionFunction, appendTo } from './statement-analysis-result.ts';
import type { StatementReader } from './statement-reader.ts';
import { Tok } from './token-list.ts';

/**
 * One pass over a statement's tokens (or a part of it) that finds what is not tied to the kind of
 * statement: the schemas it names, the user variables it reads or assigns, session functions,
 * pinning functions, SQL_CALC_FOUND_ROWS, INTO OUTFILE.
 *
 * Schemas: `a.b.c` names schema a; `a.b(` calls a stored function of schema a; in a table
 * position (after FROM, JOIN, UPDATE, INTO, TABLE, …, or a `,` continuing such a list) `a.b` is
 * schema a's table b. In an expression, `a.b` is table a's column b, which MariaDB only accepts for
 * a table of the statement: a is reported as a schema unless the statement declares it (an
 * unqualified table, or an alias), so a missed table position errs towards refusing.
 */
export function scanReferences(r: StatementReader, from: number, to: number, first: number): void {
  SCAN.reset(r, first);
  SCAN.run(from, to);
}

/** Reserved words that end a table reference (they cannot be an alias or a table name). */
const STOPS = new Set<number>([
  K.SELECT, K.INSERT, K.UPDATE, K.DELETE, K.REPLACE, K.WITH, K.VALUES, K.VALUE, K.SET, K.FROM, K.WHERE, K.IN, K.LIKE,
  K.ON, K.USING, K.GROUP, K.ORDER, K.LIMIT, K.HAVING, K.WINDOW, K.UNION, K.EXCEPT, K.INTERSECT, K.FOR, K.INTO, K.JOIN,
  K.INNER, K.LEFT, K.RIGHT, K.CROSS, K.NATURAL, K.STRAIGHT_JOIN, K.LOCK, K.PARTITION, K.AS, K.TO, K.READ, K.WRITE,
  K.FORCE, K.USE, K.KEY, K.INDEX, K.RETURNING, K.FETCH, K.TABLE, K.CHECK, K.DEFAULT, K.CASE, K.IGNORE, K.IF, K.NOT,
  K.LOW_PRIORITY, K.HIGH_PRIORITY, K.DELAYED, K.QUICK, K.OUTER, K.OJ, K.LATERAL, K.TEMPORARY, K.EXISTS, K.DO,
  K.REFERENCES, K.TABLES, K.VIEW, K.ALL, K.DESC, K.OR, K.THEN, K.ELSE, K.END, K.BEGIN, K.RENAME,
]);

/** Words that may stand between a table-position keyword and the table name. */
const MODIFIERS = new Set<number>([
  K.LOW_PRIORITY, K.HIGH_PRIORITY, K.DELAYED, K.IGNORE, K.QUICK, K.IF, K.NOT, K.EXISTS, K.OJ, K.LATERAL, K.CONCURRENT, K.LOCAL,
  K.AS, // ALTER TABLE t RENAME AS db.t
]);

/** Words after which a table list ends. */
const LIST_ENDS = new Set<number>([
  K.WHERE, K.GROUP, K.ORDER, K.HAVING, K.LIMIT, K.WINDOW, K.SET, K.UNION, K.EXCEPT, K.INTERSECT, K.INTO, K.LOCK,
  K.RETURNING, K.VALUES, K.SELECT, K.PROCEDURE, K.WITH,
]);

/** Statements whose `TABLE a, b` is a list of tables. */
const TABLE_LISTS = new Set<number>([K.DROP, K.LOCK, K.RENAME, K.CHECK, K.CHECKSUM, K.OPTIMIZE, K.REPAIR, K.ANALYZE, K.FLUSH, K.TRUNCATE]);

/** Keywords after which a name is a table (or another object of a schema). */
const OBJECT_POSITIONS = new Set<number>([
  K.FROM, K.JOIN, K.STRAIGHT_JOIN, K.INTO, K.TABLE, K.TABLES, K.REFERENCES, K.VIEW, K.TRIGGER, K.PROCEDURE, K.FUNCTION,
  K.EVENT, K.SEQUENCE, K.PACKAGE, K.USING,
]);

/** Statements that evaluate their CONNECTION_ID() calls now, in the session (a CREATE VIEW stores them for later). */
const RUNS_NOW = new Set<number>([K.SELECT, K.WITH, K.VALUES, K.INSERT, K.REPLACE, K.UPDATE, K.DELETE, K.DO, K.SET, K.CALL]);

function grown<T extends Int32Array | Uint8Array>(array: T, bigger: T): T {
  bigger.set(array);
  return bigger;
}

const LIST = 1;
const DERIVED = 2;

/** Scans never nest, so one scanner and its scratch arrays serve every statement (no allocation per statement). */
class ReferenceScan {
  private r!: StatementReader;
  /** Keyword of the statement's first token. */
  private first = 0;
  private depth = 0;
  private expectTable = false;
  private aliasNext = false;
  private sawFrom = false;
  private intoVariables = false;
  /** The table position is a FROM or JOIN clause's (where a derived table may stand instead). */
  private fromClause = false;
  /** Per paren depth: 1 when a `,` continues a table list there, 2 when its `)` may be followed by an alias. */
  private depthFlags = new Uint8Array(64);
  /** Token indices of declared tables and aliases, and of `a.b` names in expressions. */
  private declared = new Int32Array(64);
  private declaredCount = 0;
  private candidates = new Int32Array(64);
  private candidateCount = 0;

  reset(r: StatementReader, first: number): void {
    this.r = r;
    this.first = first;
    this.depth = 0;
    this.expectTable = false;
    this.aliasNext = false;
    this.sawFrom = false;
    this.intoVariables = false;
    this.fromClause = false;
    this.depthFlags[0] = 0;
    this.declaredCount = 0;
    this.candidateCount = 0;
  }

  run(from: number, to: number): void {
    const r = this.r;
    for (let i = from; i < to; i++) {
      const kind = r.kind(i);
      if (kind === Tok.WORD || kind === Tok.QUOTED_IDENTIFIER) {
        i = this.identifier(i, kind, i === from) - 1;
        continue;
      }
      this.aliasNext = false;
      if (kind === Tok.OPEN_PAREN) this.openParen(i);
      else if (kind === Tok.CLOSE_PAREN) this.closeParen();
      else if (kind === Tok.COMMA) {
        if (this.depthFlags[this.depth] & LIST) this.expectTable = true;
        continue; // `INTO @a, @b` goes on
      } else if (kind === Tok.USER_VARIABLE) {
        this.userVariable(i);
        continue;
      } else if (kind === Tok.OPERATOR && r.byte(i) === 123) continue; // ODBC `{ OJ … }` keeps a table position
      else if (kind === Tok.SYSTEM_VARIABLE) {
        // `@@session.sql_mode`, `@@global.x.y`: a variable's scope and name, not schema-qualified names.
        if (i + 1 < to && r.isIdentifier(i + 1)) i++;
        while (i + 2 < to && r.kind(i + 1) === Tok.DOT && r.isIdentifier(i + 2)) i += 2;
        this.expectTable = false;
      } else this.expectTable = false;
      this.intoVariables = false;
    }
    this.resolveCandidates();
  }

  /** Handles the identifier or keyword at i; returns the index after what it consumed. */
  private identifier(i: number, kind: number, atStart: boolean): number {
    const r = this.r;
    const keyword = kind === Tok.WORD ? r.kw(i) : 0;
    if (keyword !== 0 && r.kind(i + 1) === Tok.OPEN_PAREN && r.kind(i - 1) !== Tok.DOT) this.functionCall(keyword, i);
    if (this.expectTable) {
      if (keyword !== 0 && MODIFIERS.has(keyword)) return i + 1;
      if (keyword === 0 || !STOPS.has(keyword)) return this.tableReference(i);
      this.expectTable = false;
    }
    if (this.aliasNext) {
      this.aliasNext = false;
      if ((keyword === 0 || !STOPS.has(keyword)) && r.kind(i + 1) !== Tok.DOT) {
        this.declareName(i);
        return i + 1;
      }
    }
    this.intoVariables = false;
    if (keyword !== 0 && !(r.kind(i + 1) === Tok.DOT && r.kind(i - 1) !== Tok.DOT)) {
      this.keyword(keyword, i, atStart);
      return i + 1;
    }
    return this.expressionName(i);
  }

  private keyword(keyword: number, i: number, atStart: boolean): void {
    const r = this.r;
    if (LIST_ENDS.has(keyword)) this.endList();
    if (keyword === K.FROM || keyword === K.JOIN || keyword === K.STRAIGHT_JOIN || keyword === K.USING) {
      this.sawFrom = true;
      this.startTable(true, keyword !== K.USING);
    } else if (keyword === K.INTO) {
      const next = r.kw(i + 1);
      if (next === K.OUTFILE || next === K.DUMPFILE) r.admin('SELECT … INTO OUTFILE/DUMPFILE');
      else if (r.kind(i + 1) === Tok.USER_VARIABLE) this.intoVariables = true;
      else this.startTable(false);
    } else if (keyword === K.TABLE || keyword === K.TABLES) {
      this.startTable(keyword === K.TABLES || TABLE_LISTS.has(this.first));
    } else if (OBJECT_POSITIONS.has(keyword)) {
      this.startTable(keyword === K.VIEW && this.first === K.DROP);
    } else if (atStart && (keyword === K.UPDATE || keyword === K.DELETE)) {
      this.startTable(true);
    } else if (atStart && (keyword === K.INSERT || keyword === K.REPLACE || keyword === K.DESCRIBE || keyword === K.DESC || keyword === K.EXPLAIN || keyword === K.TRUNCATE || keyword === K.CALL || keyword === K.HANDLER)) {
      this.startTable(false);
    } else if (keyword === K.ON && !this.sawFrom && (this.first === K.CREATE || this.first === K.DROP || this.first === K.GRANT || this.first === K.REVOKE)) {
      this.startTable(false);
    } else if (keyword === K.LIKE && !this.sawFrom && this.depth <= 1 && this.first === K.CREATE) {
      this.startTable(false);
    } else if ((keyword === K.TO && (this.first === K.RENAME || this.first === K.ALTER)) || (keyword === K.RENAME && this.first === K.ALTER)) {
      this.startTable(false);
    } else if (keyword === K.AS) {
      this.aliasNext = true;
    } else if (keyword === K.SQL_CALC_FOUND_ROWS) {
      r.result.calcFoundRows = true;
      r.pin('SQL_CALC_FOUND_ROWS');
    }
  }

  private functionCall(keyword: number, i: number): void {
    const r = this.r;
    const result = r.result;
    switch (keyword) {
      case K.GET_LOCK:
        r.pin('GET_LOCK');
        break;
      case K.IS_USED_LOCK:
        r.pin('IS_USED_LOCK');
        break;
      case K.RELEASE_LOCK:
        result.releasesLock = true;
        break;
      case K.RELEASE_ALL_LOCKS:
        result.releasesAllLocks = true;
        break;
      case K.LOAD_FILE:
        r.admin('LOAD_FILE()');
        break;
      case K.LAST_INSERT_ID:
        result.sessionFunctions |= r.kind(i + 2) === Tok.CLOSE_PAREN ? SessionFunction.LAST_INSERT_ID : SessionFunction.LAST_INSERT_ID_SET;
        break;
      case K.FOUND_ROWS:
        result.sessionFunctions |= SessionFunction.FOUND_ROWS;
        break;
      case K.ROW_COUNT:
        result.sessionFunctions |= SessionFunction.ROW_COUNT;
        break;
      case K.CONNECTION_ID:
        result.sessionFunctions |= SessionFunction.CONNECTION_ID;
        if (r.kind(i + 2) === Tok.CLOSE_PAREN && RUNS_NOW.has(this.first)) {
          result.connectionIdCalls = appendTo(appendTo(result.connectionIdCalls, r.tokens.start[i]), r.tokens.end[i + 2]);
        }
        break;
    }
  }

  private userVariable(i: number): void {
    const r = this.r;
    const previous = r.kind(i - 1);
    // `'bob'@'host'`, `root@localhost`: the host part of an account, not a variable.
    if ((previous === Tok.STRING || previous === Tok.WORD || previous === Tok.QUOTED_IDENTIFIER) && r.tokens.end[i - 1] === r.tokens.start[i]) return;
    if (r.kind(i + 1) === Tok.ASSIGN || r.kw(i - 1) === K.INTO || (this.intoVariables && previous === Tok.COMMA)) {
      r.pin('user variable');
      this.intoVariables = true;
    } else {
      this.intoVariables = false;
    }
    r.result.readsUserVariables = true;
    this.expectTable = false;
  }

  private startTable(list: boolean, fromClause = false): void {
    this.expectTable = true;
    this.fromClause = fromClause;
    if (list) this.depthFlags[this.depth] |= LIST;
  }

  private endList(): void {
    this.depthFlags[this.depth] &= ~LIST;
  }

  private openParen(i: number): void {
    this.depth++;
    if (this.depth >= this.depthFlags.length) this.depthFlags = grown(this.depthFlags, new Uint8Array(this.depth * 2));
    this.depthFlags[this.depth] = 0;
    if (!this.expectTable) return;
    const next = this.r.kw(i + 1);
    if (next === K.SELECT || next === K.WITH || next === K.VALUES) {
      this.expectTable = false;
      this.depthFlags[this.depth] = DERIVED;
    } else if (this.r.kind(i + 1) !== Tok.OPEN_PAREN) {
      // `FROM (t1, db.t2)`: a parenthesised table list.
      this.depthFlags[this.depth] = LIST | DERIVED;
    } else {
      this.depthFlags[this.depth] = DERIVED;
    }
  }

  private closeParen(): void {
    const derived = (this.depthFlags[this.depth] & DERIVED) !== 0;
    this.depthFlags[this.depth] = 0;
    if (this.depth > 0) this.depth--;
    this.expectTable = false;
    this.aliasNext = derived;
  }

  /** A table reference at i: `t`, `db.t` (spaces around the dot allowed), `db.*`. Returns the index after it. */
  private tableReference(i: number): number {
    const r = this.r;
    this.expectTable = false;
    let end = i + 1;
    let parts = 1;
    while (r.kind(end) === Tok.DOT && (r.isIdentifier(end + 1) || r.kind(end + 1) === Tok.STAR)) {
      end += 2;
      parts++;
    }
    if (parts >= 2) {
      const schema = r.name(i);
      r.schema(schema);
      // `other.u` can be referred to as `u` in the statement.
      if (r.kind(end - 1) !== Tok.STAR) this.declareName(end - 1);
      if (parts === 2 && schema.toLowerCase() === 'information_schema' && r.kind(end - 1) !== Tok.STAR && r.name(end - 1).toLowerCase() === 'processlist') {
        r.result.readsProcessListTable = true;
        this.processListTable(i, end, true);
      }
    } else {
      this.declareName(i);
      if (r.kind(i) === Tok.WORD ? r.kw(i) === K.PROCESSLIST : r.name(i).toLowerCase() === 'processlist') {
        r.result.readsProcessListTable = true;
        this.processListTable(i, end, false);
      }
    }
    this.aliasNext = true;
    return end;
  }

  /** Reports a PROCESSLIST reference of a FROM/JOIN clause (tokens i … end - 1), with whether an alias follows. */
  private processListTable(i: number, end: number, qualified: boolean): void {
    if (!this.fromClause) return;
    const r = this.r;
    const next = r.kw(end);
    const aliased = next === K.AS || (r.isIdentifier(end) && (next === 0 || !STOPS.has(next)));
    const reference: ProcessListTableReference = { start: r.tokens.start[i], end: r.tokens.end[end - 1], qualified, name: r.name(end - 1), aliased };
    r.result.processListTables = appendTo(r.result.processListTables, reference);
  }

  /** A name in an expression: a plain column, or a dotted chain. Returns the index after it. */
  private expressionName(i: number): number {
    const r = this.r;
    let end = i + 1;
    let parts = 1;
    while (r.kind(end) === Tok.DOT && (r.isIdentifier(end + 1) || r.kind(end + 1) === Tok.STAR)) {
      end += 2;
      parts++;
    }
    if (parts >= 3 || (parts === 2 && r.kind(end) === Tok.OPEN_PAREN)) r.schema(r.name(i));
    else if (parts === 2) {
      if (this.candidateCount === this.candidates.length) this.candidates = grown(this.candidates, new Int32Array(this.candidateCount * 2));
      this.candidates[this.candidateCount++] = i;
    }
    return end;
  }

  private declareName(i: number): void {
    if (this.declaredCount === this.declared.length) this.declared = grown(this.declared, new Int32Array(this.declaredCount * 2));
    this.declared[this.declaredCount++] = i;
  }

  /** `a.b` in an expression names schema a unless a is a table or alias of the statement. */
  private resolveCandidates(): void {
    if (this.candidateCount === 0) return;
    const declared = new Set<string>();
    for (let k = 0; k < this.declaredCount; k++) declared.add(this.r.name(this.declared[k]).toLowerCase());
    for (let k = 0; k < this.candidateCount; k++) {
      const i = this.candidates[k];
      const name = this.r.name(i);
      const lower = name.toLowerCase();
      // NEW.col and OLD.col are a trigger's rows.
      if (lower !== 'new' && lower !== 'old' && !declared.has(lower)) this.r.schema(name);
    }
  }
}

const SCAN = new ReferenceScan();
