/** Token kinds of the byte lexer (numbers, so a token list is a handful of typed arrays). */
export const Tok = {
  WORD: 1,
  /** `name`, or "name" under ANSI_QUOTES. */
  QUOTED_IDENTIFIER: 2,
  /** '…', "…" (without ANSI_QUOTES), and the N'…', X'…', B'…' forms. */
  STRING: 3,
  NUMBER: 4,
  /** `@name`, `@'name'`. */
  USER_VARIABLE: 5,
  /** `@@` (the scope and name follow as separate tokens, as in MariaDB's grammar). */
  SYSTEM_VARIABLE: 6,
  PLACEHOLDER: 7,
  OPEN_PAREN: 8,
  CLOSE_PAREN: 9,
  COMMA: 10,
  SEMICOLON: 11,
  DOT: 12,
  /** `=` */
  EQUALS: 13,
  /** `:=` */
  ASSIGN: 14,
  STAR: 15,
  /** Any other operator or character. */
  OPERATOR: 16,
} as const;

/** Token flag: the token was read inside an executable comment (`/*! … *\/`, `/*M! … *\/`). */
export const EXECUTABLE = 1;
/** Token flag: the executable comment has a six-digit version gate, which a MariaDB older than that skips. */
export const VERSIONED = 2;

/**
 * The tokens of one statement as parallel typed arrays of byte offsets into the packet: no
 * object per token, and the arrays are reused from one statement to the next.
 */
export class TokenList {
  count = 0;
  kind = new Uint8Array(64);
  flags = new Uint8Array(64);
  keyword = new Uint16Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);

  push(kind: number, start: number, end: number, keyword: number, flags: number): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.start[i] = start;
    this.end[i] = end;
    this.keyword[i] = keyword;
    this.flags[i] = flags;
  }

  private grow(): void {
    const size = this.kind.length * 2;
    const copy = <T extends Uint8Array | Uint16Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.kind = copy(this.kind, new Uint8Array(size));
    this.flags = copy(this.flags, new Uint8Array(size));
    this.keyword = copy(this.keyword, new Uint16Array(size));
    this.start = copy(this.start, new Int32Array(size));
    this.end = copy(this.end, new Int32Array(size));
  }
}
