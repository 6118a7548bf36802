import type { LexOptions, StatementAnalysis } from '@cathode/router';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { AnalyzeStatementResult, ExecutorTask } from '../threads/messages.ts';
import { decodeStatementAnalysis } from './statement-analysis-codec.ts';

export interface ExecutorOptions {
  /** Most threads at once; they start on demand. */
  threads: number;
  /** A task not finished by then is abandoned: its thread is stopped and the caller gets an ExecutorError. */
  timeoutMs: number;
  /** An idle thread stops after this long, so an idle reactor holds none. */
  idleTimeoutMs: number;
  /** Tests only: tasks wait at this gate before running (executor-gate.ts). */
  gate?: string;
  /** The worker module; tests give their own. */
  filename?: string;
}

/** A task that timed out, failed, or whose thread died: it did not run to the end, and its caller must answer for it. */
export class ExecutorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecutorError';
  }
}

/**
 * One reactor's executor (MyCat's "business executor"): a Piscina pool owned by the reactor
 * thread, so tasks go straight from the reactor to an executor thread and back, never through the
 * main thread's event loop. Piscina runs tasks only from the thread that owns the pool, hence a
 * pool per reactor rather than one shared.
 */
export class Executor {
  private readonly pool: Piscina;
  private readonly threads: number;
  private readonly timeoutMs: number;
  private readonly gate: string | undefined;
  /** Tasks handed to Piscina and not settled: never more than `threads`. */
  private running = 0;
  /** Tasks waiting for their turn, first come first served. */
  private readonly waiting: Array<() => void> = [];

  constructor(options: ExecutorOptions, logger: Logger) {
    this.threads = options.threads;
    this.timeoutMs = options.timeoutMs;
    this.gate = options.gate;
    this.pool = new Piscina({
      filename: options.filename ?? new URL('./executor-tasks.ts', import.meta.url).href,
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: options.idleTimeoutMs,
    });
    // A thread that fails with no task of its own: Piscina reports it here, or it would end the reactor.
    this.pool.on('error', (error: Error) => logger.error({ err: error }, 'executor thread failed'));
  }

  /** Analyses a statement text on an executor thread; the text is copied once, into memory that thread shares. */
  async analyze(sql: Buffer, options: LexOptions): Promise<StatementAnalysis> {
    const shared = new SharedArrayBuffer(sql.length);
    new Uint8Array(shared).set(sql);
    const result = (await this.run({ kind: 'analyze-statement', sql: shared, options, gate: this.gate })) as AnalyzeStatementResult;
    return decodeStatementAnalysis(result);
  }

  /** Runs a task; rejects with an ExecutorError when it times out, throws, or its thread dies. */
  async run(task: ExecutorTask): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      await this.turn(signal);
      try {
        return await this.pool.run(task, { signal });
      } finally {
        this.running--;
        if (this.running < this.threads) this.waiting.shift()?.();
      }
    } catch (error) {
      if (signal.aborted) throw new ExecutorError(`executor task '${task.kind}' did not finish within ${this.timeoutMs} ms (executor.timeoutMs); its thread was stopped`, { cause: error });
      // Piscina's "worker exited with code: n" when the thread died, or the task's own error.
      throw new ExecutorError(`executor task '${task.kind}' failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Resolves when the task may go to Piscina. With minThreads 0, Piscina leaves the tasks queued
   * behind a thread that died or was stopped without a thread to run them (until some later task
   * starts one), so tasks queue here instead and Piscina only ever gets as many as it has threads.
   */
  private turn(signal: AbortSignal): Promise<void> {
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', abort);
        this.running++;
        resolve();
      };
      const abort = () => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', abort, { once: true });
      this.waiting.push(start);
    });
  }

  /** Threads now running (tests: an idle executor holds none). */
  get threadCount(): number {
    return this.pool.threads.length;
  }

  close(): Promise<void> {
    return this.pool.close({ force: true });
  }
}
