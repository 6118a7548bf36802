import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitStatements, tokenize } from './lexer.ts';
import { TokenKind } from './token.ts';

const kinds = (sql: string) => tokenize(sql).map((token) => `${token.kind}:${token.value}`);

test('words are upper-cased values; identifiers, strings and variables are unquoted', () => {
  assert.deepEqual(kinds("select `a``b`, 'it''s', \"q\\\"x\", @v, @@session.sql_mode"), [
    'word:SELECT',
    'quoted-identifier:a`b',
    'punctuation:,',
    "string:it's",
    'punctuation:,',
    'string:q"x',
    'punctuation:,',
    'user-variable:v',
    'punctuation:,',
    'system-variable:session.sql_mode',
  ]);
});

test('comments are skipped but executable comments are read as code', () => {
  assert.deepEqual(kinds('/* hidden */ SELECT 1 -- trailing\n# hash\n/*!40101 SET NAMES utf8 */'), [
    'word:SELECT',
    'number:1',
    'word:SET',
    'word:NAMES',
    'word:UTF8',
  ]);
});

test('a semicolon inside a string does not split statements', () => {
  const statements = splitStatements(tokenize("SELECT ';'; SELECT 2;"));
  assert.equal(statements.length, 2);
  assert.equal(statements[0][1].kind, TokenKind.STRING);
  assert.equal(statements[0][1].value, ';');
});

test('unterminated strings and comments end at end of input instead of throwing', () => {
  assert.equal(tokenize("SELECT 'abc").at(-1)?.kind, TokenKind.STRING);
  assert.deepEqual(kinds('SELECT 1 /* open'), ['word:SELECT', 'number:1']);
});

test('placeholders and operators', () => {
  assert.deepEqual(kinds('a := ? >= 1'), ['word:A', 'operator::=', 'placeholder:?', 'operator:>=', 'number:1']);
});
