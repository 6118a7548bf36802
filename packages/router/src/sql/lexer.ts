import { type Token, TokenKind } from './token.ts';

const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/**
 * A hand-written MySQL lexer: enough to classify statements and, later, fingerprint them. It
 * skips comments (but reads the contents of executable `/*! ... *\/` comments as code), and never
 * throws: unterminated strings or comments end at the end of input.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const length = sql.length;
  let i = 0;
  while (i < length) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 35 || (c === 45 && sql.charCodeAt(i + 1) === 45 && (i + 2 >= length || isSpace(sql.charCodeAt(i + 2))))) {
      while (i < length && sql.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      if (sql.charCodeAt(i + 2) === 33) {
        // Executable comment: skip `/*!` and an optional version number, lex the body as code.
        i += 3;
        while (i < length && isDigit(sql.charCodeAt(i))) i++;
        continue;
      }
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? length : close + 2;
      continue;
    }
    if (c === 42 && sql.charCodeAt(i + 1) === 47) {
      i += 2; // end of an executable comment
      continue;
    }
    if (c === 39 || c === 34) {
      i = scanQuoted(sql, i, c);
      tokens.push({ kind: TokenKind.STRING, text: sql.slice(start, i), value: unquote(sql.slice(start, i)), start, end: i });
      continue;
    }
    if (c === 96) {
      i = scanQuoted(sql, i, c);
      tokens.push({ kind: TokenKind.QUOTED_IDENTIFIER, text: sql.slice(start, i), value: sql.slice(start + 1, i - 1).replace(/``/g, '`'), start, end: i });
      continue;
    }
    if (c === 64) {
      const system = sql.charCodeAt(i + 1) === 64;
      i += system ? 2 : 1;
      const quote = sql.charCodeAt(i);
      if (!system && (quote === 39 || quote === 34 || quote === 96)) i = scanQuoted(sql, i, quote);
      else while (i < length && (isWordPart(sql.charCodeAt(i)) || sql.charCodeAt(i) === 46)) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: system ? TokenKind.SYSTEM_VARIABLE : TokenKind.USER_VARIABLE, text, value: text.replace(/^@@?/, ''), start, end: i });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < length && (isWordPart(sql.charCodeAt(i)) || sql.charCodeAt(i) === 46)) i++;
      tokens.push({ kind: TokenKind.NUMBER, text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (isWordStart(c)) {
      while (i < length && isWordPart(sql.charCodeAt(i))) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: TokenKind.WORD, text, value: text.toUpperCase(), start, end: i });
      continue;
    }
    if (c === 63) {
      i++;
      tokens.push({ kind: TokenKind.PLACEHOLDER, text: '?', value: '?', start, end: i });
      continue;
    }
    i++;
    const ch = sql[start];
    const punctuation = ch === '(' || ch === ')' || ch === ',' || ch === ';' || ch === '.';
    if (!punctuation) while (i < length && '=<>!|&:'.includes(sql[i]) && i - start < 3) i++;
    const text = sql.slice(start, i);
    tokens.push({ kind: punctuation ? TokenKind.PUNCTUATION : TokenKind.OPERATOR, text, value: text, start, end: i });
  }
  return tokens;
}

function scanQuoted(sql: string, start: number, quote: number): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === 92 && quote !== 96) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function unquote(text: string): string {
  const quote = text[0];
  return text
    .slice(1, text.endsWith(quote) && text.length > 1 ? -1 : undefined)
    .replace(quote === "'" ? /''/g : /""/g, quote)
    .replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0', Z: '\x1a' })[ch] ?? ch);
}

/** Splits a token list into statements at top-level semicolons. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === TokenKind.PUNCTUATION && token.text === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}
