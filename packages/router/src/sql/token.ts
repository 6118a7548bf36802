export const TokenKind = {
  WORD: 'word',
  QUOTED_IDENTIFIER: 'quoted-identifier',
  STRING: 'string',
  NUMBER: 'number',
  USER_VARIABLE: 'user-variable',
  SYSTEM_VARIABLE: 'system-variable',
  PLACEHOLDER: 'placeholder',
  PUNCTUATION: 'punctuation',
  OPERATOR: 'operator',
} as const;

export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** For WORD: upper-cased; for identifiers, strings and variables: the unquoted value. */
  value: string;
  start: number;
  end: number;
}
