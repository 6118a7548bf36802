import type { LexOptions } from './byte-lexer.ts';
import { keywordText } from './keywords.ts';
import type { MultibyteLength } from './multibyte-charsets.ts';
import { appendTo, type MutableAnalysis, type StatementAnalysis } from './statement-analysis-result.ts';
import { stringLiteralBytes } from './string-literal.ts';
import { EXECUTABLE, Tok, type TokenList } from './token-list.ts';

/**
 * Read access to the tokens of one statement (indices `from` … `to` - 1) and the result being
 * built. Out-of-range reads answer 0 ("no token"), so lookahead needs no bounds checks. Every
 * read is counted: the linearity tests compare these counts.
 */
export class StatementReader {
  from = 0;
  to = 0;
  reads = 0;
  /** Index of the statement in the text. */
  statementIndex = 0;
  /** The statement holds a version-gated executable comment (which an older MariaDB skips). */
  versioned = false;
  /** Analyses SQL found in a string literal (PREPARE … FROM '…'); undefined when nesting is too deep. */
  nested: ((reader: StatementReader, sql: Buffer) => StatementAnalysis) | undefined;
  nestingDepth = 0;
  /** The settings the current statement was lexed with. */
  lexOptions!: LexOptions;
  meter: { steps: number } | undefined;

  sql: Buffer;
  readonly tokens: TokenList;
  result: MutableAnalysis;
  encoding: 'utf8' | 'latin1' = 'utf8';
  backslashEscapes = true;
  multibyte: MultibyteLength | undefined;

  constructor(sql: Buffer, tokens: TokenList, result: MutableAnalysis) {
    this.sql = sql;
    this.tokens = tokens;
    this.result = result;
  }

  /** Starts over on another text (the reader of the outermost analysis is reused from call to call). */
  reset(sql: Buffer, result: MutableAnalysis): void {
    this.sql = sql;
    this.result = result;
    this.reads = 0;
    this.seenSchemas = undefined;
  }

  kind(i: number): number {
    this.reads++;
    return i >= this.from && i < this.to ? this.tokens.kind[i] : 0;
  }

  /** Keyword id of the token (0 when it is not a keyword, or out of range). */
  kw(i: number): number {
    this.reads++;
    return i >= this.from && i < this.to ? this.tokens.keyword[i] : 0;
  }

  isIdentifier(i: number): boolean {
    const kind = this.kind(i);
    return kind === Tok.WORD || kind === Tok.QUOTED_IDENTIFIER;
  }

  executable(i: number): boolean {
    return (this.tokens.flags[i] & EXECUTABLE) !== 0;
  }

  /** First byte of the token (for single-character operators). */
  byte(i: number): number {
    return i >= this.from && i < this.to ? this.sql[this.tokens.start[i]] : -1;
  }

  /** An identifier's name: a word as written, a quoted one without its quotes. */
  name(i: number): string {
    const start = this.tokens.start[i];
    const end = this.tokens.end[i];
    if (this.tokens.kind[i] !== Tok.QUOTED_IDENTIFIER) return this.sql.toString(this.encoding, start, end);
    const quote = this.sql[start];
    const closed = end - start >= 2 && this.sql[end - 1] === quote;
    const text = this.sql.toString(this.encoding, start + 1, closed ? end - 1 : end);
    const q = quote === 96 ? '`' : '"';
    return text.includes(q) ? text.split(q + q).join(q) : text;
  }

  /** Source text of tokens from … to (inclusive), as written. */
  text(from: number, to: number): string {
    return this.sql.toString(this.encoding, this.tokens.start[from], this.tokens.end[to]);
  }

  /** Upper-case text of a word: interned for keywords. */
  upper(i: number): string {
    const keyword = this.tokens.keyword[i];
    return keyword !== 0 ? keywordText(keyword) : this.sql.toString(this.encoding, this.tokens.start[i], this.tokens.end[i]).toUpperCase();
  }

  /** The bytes a string literal stands for (undefined for B'…'). */
  stringBytes(i: number): Buffer | undefined {
    return stringLiteralBytes(this.sql, this.tokens.start[i], this.tokens.end[i], this.backslashEscapes, this.multibyte);
  }

  stringValue(i: number): string | undefined {
    return this.stringBytes(i)?.toString(this.encoding);
  }

  /** An identifier or a string, as a name (`USER 'bob'`, `NAMES utf8`, `NAMES 'utf8'`). */
  nameOrString(i: number): string | undefined {
    const kind = this.kind(i);
    if (kind === Tok.STRING) return this.stringValue(i);
    if (kind === Tok.WORD || kind === Tok.QUOTED_IDENTIFIER) return this.name(i);
    return undefined;
  }

  /** Index of the next token before `to` at paren depth 0 (relative to `i`) that ends a list item: `,` or `to`. */
  endOfItem(i: number, to: number): number {
    let depth = 0;
    for (; i < to; i++) {
      const kind = this.kind(i);
      if (kind === Tok.OPEN_PAREN) depth++;
      else if (kind === Tok.CLOSE_PAREN) depth--;
      else if (depth === 0 && kind === Tok.COMMA) return i;
    }
    return to;
  }

  hasKeyword(keyword: number, from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (this.kw(i) === keyword) return true;
    return false;
  }

  pin(reason: string): void {
    this.result.pinReason ??= reason;
  }

  admin(reason: string): void {
    this.result.adminReason ??= reason;
  }

  untracked(reason: string): void {
    this.result.untracked ??= reason;
  }

  lexSettingsUnknown(reason: string): void {
    this.result.lexSettingsUnknown ??= reason;
  }

  schema(name: string): void {
    const seen = (this.seenSchemas ??= new Set(this.result.schemasReferenced));
    if (seen.has(name)) return;
    seen.add(name);
    this.result.schemasReferenced = appendTo(this.result.schemasReferenced, name);
  }

  private seenSchemas: Set<string> | undefined;

  /** Collects into another result until swapped back (parts of a compound statement); returns the previous one. */
  swapResult(result: MutableAnalysis): MutableAnalysis {
    const previous = this.result;
    this.result = result;
    this.seenSchemas = undefined;
    return previous;
  }
}
