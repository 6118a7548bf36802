import { K, keywordAt } from './keywords.ts';
import { highByteSpaceOf, type MultibyteLength, multibyteLengthOf } from './multibyte-charsets.ts';
import { EXECUTABLE, Tok, type TokenList, VERSIONED } from './token-list.ts';

/** How the session's settings change lexing. */
export interface LexOptions {
  /** MariaDB name of character_set_client, lower case: 'utf8mb4', 'latin1', 'gbk', 'sjis', ... (unknown names lex as UTF-8). */
  charset: string;
  /** sql_mode ANSI_QUOTES (or ANSI): "x" is an identifier, not a string. */
  ansiQuotes: boolean;
  /** sql_mode NO_BACKSLASH_ESCAPES: backslash is an ordinary character in strings. */
  noBackslashEscapes: boolean;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWordStart = (c: number) => isLetter(c) || c === 95 || c === 36 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c);
const isHexDigit = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isOperatorPart = (c: number) => c === 61 || c === 60 || c === 62 || c === 33 || c === 124 || c === 38;

/**
 * MariaDB's lexer, on the packet bytes: one statement at a time (so a statement can change the
 * character set or sql_mode the next one is lexed with), tokens as byte offsets. Comments are
 * skipped; the bodies of executable comments are lexed as code and their tokens flagged. It never
 * throws: an unterminated string or comment ends at the end of input (where MariaDB would refuse
 * the statement anyway). Every byte is visited a bounded number of times.
 */
export class ByteLexer {
  /** Bytes and tokens visited so far: the measure of work the linearity tests compare. */
  steps = 0;
  /** Whether the last statement held a BEGIN … END (or IF, LOOP, …) block, whose inner semicolons belong to it. */
  compound = false;
  private pos = 0;
  private inExecutable = false;
  private executableFlags = EXECUTABLE;
  private multibyte: MultibyteLength | undefined;
  /** The byte >= 0x80 the character set counts as white space (no-break space), or -1. */
  private space = -1;
  private ansiQuotes = false;
  private backslashEscapes = true;
  private end = 0;
  sql: Buffer = EMPTY;

  constructor(sql: Buffer, options: LexOptions) {
    this.reset(sql, options);
  }

  /** Starts over on another text (the lexer of the outermost analysis is reused from call to call). */
  reset(sql: Buffer, options: LexOptions): void {
    this.sql = sql;
    this.end = sql.length;
    this.pos = 0;
    this.steps = 0;
    this.compound = false;
    this.inExecutable = false;
    this.setOptions(options);
  }

  setOptions(options: LexOptions): void {
    this.multibyte = multibyteLengthOf(options.charset);
    this.space = highByteSpaceOf(options.charset);
    this.ansiQuotes = options.ansiQuotes;
    this.backslashEscapes = !options.noBackslashEscapes;
  }

  /**
   * Lexes the next statement into `tokens` (cleared first), up to a top-level `;` (not included)
   * or the end of input; empty statements are skipped. Returns false when no statement is left.
   */
  nextStatement(tokens: TokenList): boolean {
    tokens.count = 0;
    let depth = 0;
    let compoundMode = false;
    let compound = false;
    let repeatPending = false;
    for (;;) {
      const kind = this.nextToken(tokens);
      if (kind === 0) break;
      const i = tokens.count - 1;
      if (kind === Tok.SEMICOLON && depth === 0) {
        tokens.count--;
        if (tokens.count > 0) break;
        continue;
      }
      if (i === 0) compoundMode = startsCompound(tokens.keyword[0]);
      else if (i === 1 && isLabelColon(this.sql, tokens, 1)) compoundMode = true;
      if (!compoundMode) continue;
      const keyword = tokens.keyword[i];
      if (repeatPending) {
        repeatPending = false;
        if (kind !== Tok.OPEN_PAREN) depth++;
      }
      const before = i > 0 ? tokens.keyword[i - 1] : 0;
      if (keyword === K.BEGIN) {
        if (i > 0 && before !== K.XA) depth++;
      } else if (keyword === K.ATOMIC) {
        if (i === 2 && tokens.keyword[0] === K.BEGIN && before === K.NOT) depth++;
      } else if (keyword === K.END) {
        if (before !== K.XA && depth > 0) depth--;
      } else if (before !== K.END) {
        if (keyword === K.CASE || keyword === K.LOOP || keyword === K.WHILE) depth++;
        else if (keyword === K.REPEAT) repeatPending = true;
        else if ((keyword === K.IF || keyword === K.FOR) && (opensBlock(this.sql, tokens, i) || startsBody(tokens, i))) depth++;
      }
      if (depth > 0) compound = true;
    }
    this.compound = compound;
    return tokens.count > 0;
  }

  /** Appends the next token; returns its kind, or 0 at the end of input. */
  private nextToken(tokens: TokenList): number {
    const sql = this.sql;
    const end = this.end;
    let i = this.pos;
    for (;;) {
      if (i >= end) {
        this.steps += i - this.pos;
        this.pos = i;
        return 0;
      }
      const c = sql[i];
      if (isSpace(c) || c === this.space) {
        i++;
      } else if (c === 35 || (c === 45 && sql[i + 1] === 45 && (i + 2 >= end || sql[i + 2] <= 32 || sql[i + 2] === 127 || sql[i + 2] === this.space))) {
        while (i < end && sql[i] !== 10) i++;
      } else if (c === 47 && sql[i + 1] === 42) {
        if (sql[i + 2] === 33 || (sql[i + 2] === 77 && sql[i + 3] === 33)) {
          // Executable comment: MariaDB runs its body whatever the version gate says (conservative).
          i += sql[i + 2] === 33 ? 3 : 4;
          const digits = i;
          while (i < end && isDigit(sql[i])) i++;
          this.inExecutable = true;
          this.executableFlags = EXECUTABLE | (i - digits >= 6 ? VERSIONED : 0);
        } else {
          i += 2;
          while (i < end && !(sql[i] === 42 && sql[i + 1] === 47)) i++;
          i = Math.min(end, i + 2);
        }
      } else if (c === 42 && sql[i + 1] === 47 && this.inExecutable) {
        this.inExecutable = false;
        i += 2;
      } else {
        break;
      }
    }
    const start = i;
    const afterIdentifier = this.identifierBeforeDot(tokens, start);
    const c = sql[i];
    let kind: number;
    let keyword = 0;
    if (c === 39 || (c === 34 && !this.ansiQuotes)) {
      kind = Tok.STRING;
      i = this.scanQuoted(start, c, this.backslashEscapes);
    } else if (c === 96 || c === 34) {
      kind = Tok.QUOTED_IDENTIFIER;
      i = this.scanQuoted(start, c, false);
    } else if ((c === 78 || c === 110) && sql[i + 1] === 39) {
      kind = Tok.STRING;
      i = this.scanQuoted(start + 1, 39, this.backslashEscapes);
    } else if ((c === 88 || c === 120 || c === 66 || c === 98) && sql[i + 1] === 39) {
      kind = Tok.STRING;
      i = this.scanQuoted(start + 1, 39, false);
    } else if (c === 64) {
      if (sql[i + 1] === 64) {
        kind = Tok.SYSTEM_VARIABLE;
        i += 2;
      } else if (sql[i + 1] === 39 || sql[i + 1] === 34 || sql[i + 1] === 96) {
        kind = Tok.USER_VARIABLE;
        i = this.scanQuoted(i + 1, sql[i + 1], sql[i + 1] !== 96 && this.backslashEscapes);
      } else if (i + 1 < end && (this.wordPart(sql[i + 1]) || sql[i + 1] === 46)) {
        kind = Tok.USER_VARIABLE;
        i = this.scanWord(i + 1, true);
      } else {
        kind = Tok.OPERATOR;
        i++;
      }
    } else if (afterIdentifier && this.wordPart(c)) {
      // `db.1t`: after `name.`, MariaDB reads an identifier even when it starts with digits.
      kind = Tok.WORD;
      i = this.scanWord(i, false);
    } else if (isDigit(c) || (c === 46 && isDigit(sql[i + 1]) && !this.identifierEndsAt(tokens, start))) {
      ({ kind, end: i } = this.scanNumber(i));
    } else if (this.wordStart(c)) {
      kind = Tok.WORD;
      i = this.scanWord(i, false);
      keyword = keywordAt(sql, start, i);
    } else {
      i++;
      kind = SINGLE[c] ?? Tok.OPERATOR;
      if (c === 58 && sql[i] === 61) {
        kind = Tok.ASSIGN;
        i++;
      } else if (kind === Tok.OPERATOR || (c === 61 && isOperatorPart(sql[i]))) {
        while (i < end && i - start < 3 && isOperatorPart(sql[i])) i++;
        if (i - start > 1) kind = Tok.OPERATOR;
      }
    }
    tokens.push(kind, start, i, keyword, this.inExecutable ? this.executableFlags : 0);
    this.steps += i - this.pos + 1;
    this.pos = i;
    return kind;
  }

  /** Whether the token at `start` follows `name.` with no space (MariaDB's identifier-separator state). */
  private identifierBeforeDot(tokens: TokenList, start: number): boolean {
    const n = tokens.count;
    if (n < 2 || tokens.kind[n - 1] !== Tok.DOT || tokens.end[n - 1] !== start) return false;
    const before = tokens.kind[n - 2];
    return (before === Tok.WORD || before === Tok.QUOTED_IDENTIFIER) && tokens.end[n - 2] === tokens.start[n - 1];
  }

  private wordStart(c: number): boolean {
    return isWordStart(c) && c !== this.space;
  }

  private wordPart(c: number): boolean {
    return isWordPart(c) && c !== this.space;
  }

  private identifierEndsAt(tokens: TokenList, start: number): boolean {
    const n = tokens.count;
    return n > 0 && (tokens.kind[n - 1] === Tok.WORD || tokens.kind[n - 1] === Tok.QUOTED_IDENTIFIER) && tokens.end[n - 1] === start;
  }

  /** From an opening quote at `start`: the offset after the closing quote (doubled quotes and, for strings, backslash escapes stay inside). */
  private scanQuoted(start: number, quote: number, backslashEscapes: boolean): number {
    const sql = this.sql;
    const end = this.end;
    const multibyte = this.multibyte;
    let i = start + 1;
    while (i < end) {
      const c = sql[i];
      if (c >= 0x80 && multibyte !== undefined) {
        const length = multibyte(sql, i, end);
        if (length > 0) {
          i += length;
          continue;
        }
      }
      if (c === 92 && backslashEscapes) {
        // MariaDB skips exactly one byte after a backslash, even a lead byte.
        i += 2;
        continue;
      }
      if (c === quote) {
        if (sql[i + 1] === quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return end;
  }

  private scanWord(start: number, userVariable: boolean): number {
    const sql = this.sql;
    const end = this.end;
    const multibyte = this.multibyte;
    let i = start;
    while (i < end) {
      const c = sql[i];
      if (c >= 0x80 && multibyte !== undefined) {
        const length = multibyte(sql, i, end);
        i += length > 0 ? length : 1;
      } else if (this.wordPart(c) || (userVariable && c === 46)) {
        i++;
      } else {
        break;
      }
    }
    return i;
  }

  /** A number, or an identifier that starts with digits (`1abc`), as MariaDB reads them. */
  private scanNumber(start: number): { kind: number; end: number } {
    const sql = this.sql;
    const end = this.end;
    let i = start;
    if (sql[i] === 48 && (sql[i + 1] === 120 || sql[i + 1] === 98)) {
      const hex = sql[i + 1] === 120;
      let j = i + 2;
      while (j < end && (hex ? isHexDigit(sql[j]) : sql[j] === 48 || sql[j] === 49)) j++;
      if (j > i + 2 && (j >= end || !this.wordPart(sql[j]))) return { kind: Tok.NUMBER, end: j };
      return { kind: Tok.WORD, end: this.scanWord(i, false) };
    }
    while (i < end && isDigit(sql[i])) i++;
    if (i < end && sql[i] !== 46 && this.wordStart(sql[i]) && !this.exponentAt(i)) return { kind: Tok.WORD, end: this.scanWord(i, false) };
    if (sql[i] === 46) {
      i++;
      while (i < end && isDigit(sql[i])) i++;
    }
    if (this.exponentAt(i)) {
      i += sql[i + 1] === 43 || sql[i + 1] === 45 ? 2 : 1;
      while (i < end && isDigit(sql[i])) i++;
    }
    return { kind: Tok.NUMBER, end: i };
  }

  private exponentAt(i: number): boolean {
    const sql = this.sql;
    if (sql[i] !== 101 && sql[i] !== 69) return false;
    const next = sql[i + 1];
    return isDigit(next) || ((next === 43 || next === 45) && isDigit(sql[i + 2]));
  }
}

const EMPTY = Buffer.alloc(0);

const SINGLE: Record<number, number> = { 40: Tok.OPEN_PAREN, 41: Tok.CLOSE_PAREN, 44: Tok.COMMA, 59: Tok.SEMICOLON, 46: Tok.DOT, 61: Tok.EQUALS, 42: Tok.STAR, 63: Tok.PLACEHOLDER };

function startsCompound(keyword: number): boolean {
  return (
    keyword === K.CREATE || keyword === K.ALTER || keyword === K.BEGIN || keyword === K.IF || keyword === K.CASE ||
    keyword === K.LOOP || keyword === K.WHILE || keyword === K.REPEAT || keyword === K.FOR
  );
}

/** IF and FOR open a block only where a statement starts (else they are the IF() function, FOR UPDATE, ...). */
function opensBlock(sql: Buffer, tokens: TokenList, i: number): boolean {
  if (i === 0) return true;
  const kind = tokens.kind[i - 1];
  const keyword = tokens.keyword[i - 1];
  return (
    kind === Tok.SEMICOLON || keyword === K.THEN || keyword === K.ELSE || keyword === K.BEGIN || keyword === K.ATOMIC || keyword === K.DO ||
    keyword === K.LOOP || keyword === K.REPEAT || isLabelColon(sql, tokens, i - 1)
  );
}

function isLabelColon(sql: Buffer, tokens: TokenList, i: number): boolean {
  return tokens.kind[i] === Tok.OPERATOR && sql[tokens.start[i]] === 58 && tokens.end[i] - tokens.start[i] === 1;
}

/** After `CREATE PROCEDURE p(…)` or `… FOR EACH ROW`, a stored program's body starts. */
function startsBody(tokens: TokenList, i: number): boolean {
  const definition = tokens.keyword[0] === K.CREATE || tokens.keyword[0] === K.ALTER;
  return definition && (tokens.kind[i - 1] === Tok.CLOSE_PAREN || tokens.keyword[i - 1] === K.ROW);
}
