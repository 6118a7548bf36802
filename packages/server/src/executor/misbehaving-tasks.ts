/** A test fixture for executor.test.ts: a worker module whose tasks hang, crash their thread, or answer. */
export type MisbehavingTask = { kind: 'hang' } | { kind: 'crash' } | { kind: 'echo'; value: number };

export default function run(task: MisbehavingTask): number {
  switch (task.kind) {
    case 'hang':
      // Busy, not waiting: only stopping the thread ends it.
      for (;;);
    case 'crash':
      process.exit(3);
    case 'echo':
      return task.value;
  }
}
