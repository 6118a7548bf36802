import { Piscina } from 'piscina';
import type { AnalyzeResult, ExecutorTask } from '../threads/messages.ts';

/** The business-thread pool (MyCat's "business executor"): SQL analysis and heavy merges. */
export class Executor {
  private readonly pool: Piscina;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: new URL('./executor-tasks.ts', import.meta.url).href,
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  run(task: ExecutorTask): Promise<AnalyzeResult> {
    return this.pool.run(task);
  }

  close(): Promise<void> {
    return this.pool.close({ force: true });
  }
}
