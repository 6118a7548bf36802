import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteLexer, type LexOptions } from './byte-lexer.ts';
import { keywordText } from './keywords.ts';
import { EXECUTABLE, Tok, TokenList, VERSIONED } from './token-list.ts';

const UTF8: LexOptions = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };
const NAMES = Object.fromEntries(Object.entries(Tok).map(([name, kind]) => [kind, name.toLowerCase()]));

/** Each statement as a list of `kind:text` (keywords as `KEYWORD`). */
function lex(sql: string | Buffer, options: Partial<LexOptions> = {}): string[][] {
  const bytes = typeof sql === 'string' ? Buffer.from(sql) : sql;
  const lexer = new ByteLexer(bytes, { ...UTF8, ...options });
  const tokens = new TokenList();
  const statements: string[][] = [];
  while (lexer.nextStatement(tokens)) {
    const list: string[] = [];
    for (let i = 0; i < tokens.count; i++) {
      const keyword = tokens.keyword[i];
      const text = bytes.toString('latin1', tokens.start[i], tokens.end[i]);
      list.push(keyword !== 0 ? keywordText(keyword) : `${NAMES[tokens.kind[i]]}:${text}`);
    }
    statements.push(list);
  }
  return statements;
}

const one = (sql: string | Buffer, options?: Partial<LexOptions>) => {
  const statements = lex(sql, options);
  assert.equal(statements.length, 1, `one statement expected: ${JSON.stringify(statements)}`);
  return statements[0];
};

test('words, quoted identifiers, strings, variables, numbers and operators', () => {
  assert.deepEqual(one("select `a``b`, 'it''s', \"q\\\"x\", @v, @'w x', @@session.sql_mode, x := ? >= 1.5e3"), [
    'SELECT', 'quoted_identifier:`a``b`', 'comma:,', "string:'it''s'", 'comma:,', 'string:"q\\"x"', 'comma:,',
    'user_variable:@v', 'comma:,', "user_variable:@'w x'", 'comma:,', 'system_variable:@@', 'SESSION', 'dot:.', 'word:sql_mode',
    'comma:,', 'word:x', 'assign::=', 'placeholder:?', 'operator:>=', 'number:1.5e3',
  ]);
});

test('N, X and B string prefixes are one string token; an introducer is a word before a string', () => {
  assert.deepEqual(one("SELECT N'a\\'b', X'4142', b'01', _utf8mb4'x'"), [
    'SELECT', "string:N'a\\'b'", 'comma:,', "string:X'4142'", 'comma:,', "string:b'01'", 'comma:,', 'word:_utf8mb4', "string:'x'",
  ]);
});

test('identifiers that start with digits, and names after a dot, as MariaDB reads them', () => {
  assert.deepEqual(one('SELECT 1abc, 0x1F, 0xZZ, 12, db.1t, t .5'), [
    'SELECT', 'word:1abc', 'comma:,', 'number:0x1F', 'comma:,', 'word:0xZZ', 'comma:,', 'number:12', 'comma:,', 'word:db', 'dot:.', 'word:1t',
    'comma:,', 'word:t', 'number:.5',
  ]);
});

test('comments: -- needs a space or control character after it, # runs to the end of the line, /* */ may be unterminated', () => {
  assert.deepEqual(one('SELECT 1--1\n'), ['SELECT', 'number:1', 'operator:-', 'operator:-', 'number:1']);
  assert.deepEqual(one('SELECT 1 -- x\n, 2 #y\n, 3 --\tz\n, 4 /* a */ --'), ['SELECT', 'number:1', 'comma:,', 'number:2', 'comma:,', 'number:3', 'comma:,', 'number:4']);
  assert.deepEqual(one('SELECT 1 /* open'), ['SELECT', 'number:1']);
  assert.deepEqual(one('SELECT 1 --\x7f, 2'), ['SELECT', 'number:1']);
});

test('executable comments are lexed as code, their tokens flagged; a six-digit version gate is flagged as such', () => {
  const bytes = Buffer.from('SELECT 1 /*!40101 , 2 */ /*M!100500 , 3 */ /*!100000 , 4 */ /*+ hint */');
  const lexer = new ByteLexer(bytes, UTF8);
  const tokens = new TokenList();
  assert.ok(lexer.nextStatement(tokens));
  const flags = Array.from(tokens.flags.subarray(0, tokens.count));
  assert.deepEqual(flags, [0, 0, EXECUTABLE, EXECUTABLE, EXECUTABLE | VERSIONED, EXECUTABLE | VERSIONED, EXECUTABLE | VERSIONED, EXECUTABLE | VERSIONED]);
  assert.deepEqual(one('/*!SET NAMES utf8*/; /*M! SELECT 2 */'.split(';')[0]), ['SET', 'NAMES', 'word:utf8']);
});

test('a plain comment inside an executable comment ends at its own */', () => {
  assert.deepEqual(one('/*! SELECT /* c */ 1 */ , 2'), ['SELECT', 'number:1', 'comma:,', 'number:2']);
});

test('statements split at top-level semicolons only; empty statements are skipped', () => {
  assert.deepEqual(lex("SELECT ';'; ;; SELECT `;`; SELECT 2 -- ;\n"), [["SELECT", "string:';'"], ['SELECT', 'quoted_identifier:`;`'], ['SELECT', 'number:2']]);
});

test('a BEGIN … END block keeps its inner semicolons; BEGIN alone is a transaction', () => {
  assert.equal(lex('CREATE PROCEDURE p() BEGIN SELECT 1; IF a THEN SELECT 2; END IF; CASE WHEN 1 THEN SELECT 3; END CASE; END; SELECT 4').length, 2);
  assert.equal(lex('BEGIN NOT ATOMIC SELECT 1; REPEAT SELECT 2; UNTIL 1 END REPEAT; WHILE 0 DO SELECT 3; END WHILE; END; SELECT 4').length, 2);
  assert.equal(lex('BEGIN; SELECT 1; COMMIT').length, 3);
  assert.equal(lex("SELECT CASE WHEN a THEN IF(a, 1, 2) ELSE REPEAT('x', 2) END FROM t; SELECT 2").length, 2);
  assert.equal(lex('lbl: LOOP SELECT 1; LEAVE lbl; END LOOP lbl; SELECT 2').length, 2);
  assert.equal(lex('XA START 1; XA END 1; XA PREPARE 1').length, 3);
  assert.equal(lex('BEGIN NOT ATOMIC IF 1 THEN SELECT 1; END IF; END; SELECT 2').length, 2);
  assert.equal(lex('CREATE PROCEDURE p() IF a THEN SELECT 1; END IF; SELECT 2').length, 2);
  assert.equal(lex('CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a THEN SET NEW.b = 1; END IF; SELECT 2').length, 2);
  assert.equal(lex('CREATE TABLE IF NOT EXISTS t (a INT); SELECT IF(1, 2, 3); SELECT 2').length, 3);
});

test('NO_BACKSLASH_ESCAPES: a backslash is an ordinary character, so the string ends at the next quote', () => {
  assert.deepEqual(one("SELECT 'a\\' , 'c'"), ['SELECT', "string:'a\\' , '", 'word:c', "string:'"]);
  assert.deepEqual(one("SELECT 'a\\' , 'c'", { noBackslashEscapes: true }), ['SELECT', "string:'a\\'", 'comma:,', "string:'c'"]);
});

test('ANSI_QUOTES: "x" is an identifier, not a string, and has no backslash escapes', () => {
  assert.deepEqual(one('SELECT "a\\" FROM t'), ['SELECT', 'string:"a\\" FROM t']);
  assert.deepEqual(one('SELECT "a\\" FROM t', { ansiQuotes: true }), ['SELECT', 'quoted_identifier:"a\\"', 'FROM', 'word:t']);
});

/** `'<lead>\' OR 1=1 -- '`: in gbk the lead byte and 0x5c are one character, so the quote after them ends the string. */
function injection(lead: number): Buffer {
  return Buffer.concat([Buffer.from("SELECT * FROM t WHERE a = '"), Buffer.from([lead, 0x5c]), Buffer.from("' OR 1=1 -- '")]);
}

test('gbk, big5, sjis, cp932, gb18030: a trail byte 0x5c does not escape the quote after it', () => {
  for (const [charset, lead] of [['gbk', 0xbf], ['big5', 0xa4], ['sjis', 0x95], ['cp932', 0x95], ['gb18030', 0xbf]] as const) {
    const tokens = one(injection(lead), { charset });
    assert.deepEqual(tokens.slice(-5), [`string:'${String.fromCharCode(lead)}\\'`, 'OR', 'number:1', 'equals:=', 'number:1'], charset);
  }
});

test('utf8mb4 and latin1: the same bytes are a backslash-escaped quote, and the string runs on', () => {
  for (const charset of ['utf8mb4', 'latin1', 'utf8mb3', 'gb2312', 'euckr']) {
    const tokens = one(injection(0xbf), { charset });
    assert.equal(tokens.at(-1)?.startsWith("string:'"), true, charset);
    assert.equal(tokens.includes('OR'), false, charset);
  }
});

test('gbk: a backslash skips exactly one byte, even a lead byte (as MariaDB does)', () => {
  const bytes = Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0x5c, 0xbf, 0x5c]), Buffer.from("' , 'y'")]);
  // \ skips 0xbf; the 0x5c that follows escapes the quote; the string ends at the next one.
  assert.equal(one(bytes, { charset: 'gbk' })[2], 'word:y');
});

test('gbk: multibyte characters with a 0x60 trail byte stay inside backquoted identifiers and words', () => {
  const quoted = Buffer.concat([Buffer.from('SELECT `'), Buffer.from([0x81, 0x60]), Buffer.from('` FROM t')]);
  assert.deepEqual(one(quoted, { charset: 'gbk' }).slice(2), ['FROM', 'word:t']);
  const word = Buffer.concat([Buffer.from('SELECT a'), Buffer.from([0x81, 0x5c]), Buffer.from(" 'x'")]);
  assert.equal(one(word, { charset: 'gbk' }).length, 3);
});

test('unterminated strings and identifiers end at the end of input', () => {
  assert.deepEqual(one("SELECT 'abc"), ['SELECT', "string:'abc"]);
  assert.deepEqual(one('SELECT `abc'), ['SELECT', 'quoted_identifier:`abc']);
  assert.deepEqual(one("SELECT 'abc\\"), ['SELECT', "string:'abc\\"]);
});

test('latin1 and other single-byte sets: a no-break space byte separates words as in MariaDB', () => {
  const shutdown = Buffer.from([...Buffer.from('SELECT 1;'), 0xa0, ...Buffer.from('SHUTDOWN'), 0xa0]);
  assert.deepEqual(lex(shutdown, { charset: 'latin1' })[1], ['SHUTDOWN']);
  assert.deepEqual(lex(Buffer.from([...Buffer.from('SHUTDOWN'), 0xff]), { charset: 'cp866' })[0], ['SHUTDOWN']);
  // In UTF-8 and in sets where it is a letter, the byte belongs to the word.
  assert.deepEqual(lex(Buffer.from([...Buffer.from('SHUTDOWN'), 0xa0]), { charset: 'cp1251' })[0], ['word:SHUTDOWN\xa0']);
  assert.deepEqual(one(Buffer.from([...Buffer.from('SELECT a'), 0xe9, 0x20, 0x31]), { charset: 'latin1' }), ['SELECT', 'word:a\xe9', 'number:1']);
});
