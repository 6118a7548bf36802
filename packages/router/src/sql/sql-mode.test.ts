import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lexFlagsOfSqlMode } from './sql-mode.ts';

test('ANSI_QUOTES and NO_BACKSLASH_ESCAPES, by name, in any case and spacing', () => {
  assert.deepEqual(lexFlagsOfSqlMode(''), { ansiQuotes: false, noBackslashEscapes: false });
  assert.deepEqual(lexFlagsOfSqlMode('STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'), { ansiQuotes: false, noBackslashEscapes: false });
  assert.deepEqual(lexFlagsOfSqlMode('ansi_quotes'), { ansiQuotes: true, noBackslashEscapes: false });
  assert.deepEqual(lexFlagsOfSqlMode('STRICT_ALL_TABLES, NO_BACKSLASH_ESCAPES'), { ansiQuotes: false, noBackslashEscapes: true });
});

test('the combination modes that include ANSI_QUOTES', () => {
  for (const mode of ['ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL']) assert.equal(lexFlagsOfSqlMode(mode).ansiQuotes, true, mode);
  assert.equal(lexFlagsOfSqlMode('TRADITIONAL').ansiQuotes, false);
  assert.equal(lexFlagsOfSqlMode('ANSI_QUOTESX').ansiQuotes, false);
});

test('the numeric form is read as MariaDB sql_mode bits', () => {
  assert.deepEqual(lexFlagsOfSqlMode('4'), { ansiQuotes: true, noBackslashEscapes: false });
  assert.deepEqual(lexFlagsOfSqlMode(String(1 << 20)), { ansiQuotes: false, noBackslashEscapes: true });
  assert.deepEqual(lexFlagsOfSqlMode(String(1 << 18)), { ansiQuotes: true, noBackslashEscapes: false });
  assert.deepEqual(lexFlagsOfSqlMode('0'), { ansiQuotes: false, noBackslashEscapes: false });
});
