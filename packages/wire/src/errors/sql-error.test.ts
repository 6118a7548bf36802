import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError } from './server-error.ts';
import { SqlError } from './sql-error.ts';

describe('SqlError', () => {
  it('carries errno, SQLSTATE and message', () => {
    const error = new SqlError(1064, '42000', 'syntax');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'SqlError');
    assert.deepEqual([error.errno, error.sqlState, error.message], [1064, '42000', 'syntax']);
  });

  it('of() fills %s placeholders in order', () => {
    const error = SqlError.of('ER_ACCESS_DENIED_ERROR', 'bob', '10.0.0.1', 'YES');
    assert.deepEqual([error.errno, error.sqlState, error.message], [1045, '28000', "Access denied for user 'bob'@'10.0.0.1' (using password: YES)"]);
  });

  it('of() accepts numbers and leaves missing arguments empty', () => {
    assert.equal(SqlError.of('ER_NO_SUCH_THREAD', 42).message, 'Unknown thread id: 42');
    assert.equal(SqlError.of('ER_UNKNOWN_STMT_HANDLER', 7).message, 'Unknown prepared statement handler (7) given to ');
  });

  it('of() does not expand placeholders that arrive inside arguments', () => {
    assert.equal(SqlError.of('ER_BAD_DB_ERROR', '%s$&').message, "Unknown database '%s$&'");
  });

  it('of() uses the message as is when there are no placeholders', () => {
    const error = SqlError.of('ER_NET_PACKETS_OUT_OF_ORDER');
    assert.deepEqual([error.errno, error.sqlState, error.message], [1156, '08S01', 'Got packets out of order']);
  });

  it('the error table has 5-character SQLSTATEs, server-range errnos, and unique errnos but for conditions of Cathode that reuse one', () => {
    // Cathode's own conditions reuse MariaDB's errno (and SQLSTATE) that a client should treat them as.
    const ownConditions: Record<string, string> = {
      ER_BACKEND_LOST: 'ER_QUERY_INTERRUPTED',
      ER_EXECUTOR_FAILED: 'ER_QUERY_INTERRUPTED',
      ER_SESSION_STATE_LOST: 'ER_CONNECTION_KILLED',
    };
    const errnos = new Set<number>();
    for (const [name, entry] of Object.entries(ServerError)) {
      assert.match(entry.sqlState, /^[0-9A-Z]{5}$/, name);
      assert.ok(entry.errno >= 1000 && entry.errno < 2000, `${name} errno ${entry.errno} is in the server range`);
      const alias = ownConditions[name];
      if (alias) {
        const original = ServerError[alias as keyof typeof ServerError];
        assert.deepEqual([entry.errno, entry.sqlState], [original.errno, original.sqlState], name);
        continue;
      }
      assert.ok(!errnos.has(entry.errno), `${name} errno ${entry.errno} is unique`);
      errnos.add(entry.errno);
    }
  });
});
