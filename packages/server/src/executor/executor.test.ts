import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type LexOptions, analyzeStatement } from '@cathode/router';
import pino from 'pino';
import type { ExecutorTask } from '../threads/messages.ts';
import { Executor, ExecutorError } from './executor.ts';
import type { MisbehavingTask } from './misbehaving-tasks.ts';

const UTF8: LexOptions = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };
const logger = pino({ level: 'silent' });
const executors: Executor[] = [];
after(() => Promise.all(executors.map((executor) => executor.close())));

function executor(options: { threads?: number; timeoutMs?: number; misbehaving?: boolean } = {}): Executor {
  const created = new Executor(
    {
      threads: options.threads ?? 1,
      timeoutMs: options.timeoutMs ?? 60_000,
      idleTimeoutMs: 60_000,
      filename: options.misbehaving ? new URL('./misbehaving-tasks.ts', import.meta.url).href : undefined,
    },
    logger,
  );
  executors.push(created);
  return created;
}

const run = (on: Executor, task: MisbehavingTask) => on.run(task as unknown as ExecutorTask);

test('a statement analysed on the executor is analysed as on the reactor', async () => {
  const pool = executor();
  const texts = ["SET NAMES 'sjis'; SELECT '\\x95\\\\'; USE other; KILL QUERY 3", "SET @a = 1; SELECT @a FROM mysql.user", "SELECT 1"];
  for (const text of texts) {
    assert.deepStrictEqual(await pool.analyze(Buffer.from(text), UTF8), analyzeStatement(Buffer.from(text), UTF8), text);
  }
  // The session's lex options travel with the task: under ANSI_QUOTES "mysql.user" is an identifier.
  const ansi = await pool.analyze(Buffer.from('SELECT * FROM "mysql"."user"'), { ...UTF8, ansiQuotes: true });
  assert.deepEqual(ansi.schemasReferenced, ['mysql']);
});

test('an executor that has had no task holds no thread', () => {
  assert.equal(executor().threadCount, 0);
});

test('a task that hangs is stopped after timeoutMs and rejects; the executor serves the next task', async () => {
  // Long enough for the next task to start a fresh thread under load.
  const pool = executor({ timeoutMs: 3_000, misbehaving: true });
  await assert.rejects(run(pool, { kind: 'hang' }), (error: Error) => {
    assert.ok(error instanceof ExecutorError, String(error));
    assert.match(error.message, /did not finish within 3000 ms/);
    return true;
  });
  assert.equal(await run(pool, { kind: 'echo', value: 7 }), 7);
});

test('a thread that dies rejects its task instead of leaving it pending, and tasks queued behind it still run', async () => {
  const pool = executor({ threads: 1, misbehaving: true });
  const crashed = run(pool, { kind: 'crash' });
  const queued = run(pool, { kind: 'echo', value: 8 });
  await assert.rejects(crashed, (error: Error) => {
    assert.ok(error instanceof ExecutorError, String(error));
    assert.match(error.message, /worker exited with code: 3/);
    return true;
  });
  assert.equal(await queued, 8);
  assert.equal(await run(pool, { kind: 'echo', value: 9 }), 9);
});
