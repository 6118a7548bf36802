import { analyzeStatement } from '@cathode/router';
import { move } from 'piscina';
import type { ExecutorTask } from '../threads/messages.ts';
import { waitAtGate } from './executor-gate.ts';
import { encodeStatementAnalysis } from './statement-analysis-codec.ts';

/** Piscina worker entry: CPU-heavy work kept off the reactors' event loops. */
export default function run(task: ExecutorTask): unknown {
  switch (task.kind) {
    case 'analyze-statement':
      if (task.gate !== undefined) return waitAtGate(task.gate, task.sql.byteLength).then(() => analyzed(task));
      return analyzed(task);
    default:
      throw new Error(`unknown executor task ${(task as { kind: string }).kind}`);
  }
}

function analyzed(task: ExecutorTask): unknown {
  const analysis = analyzeStatement(Buffer.from(task.sql), task.options);
  // Transferred, not cloned: a many-statement text's analysis can be megabytes.
  return move(encodeStatementAnalysis(analysis));
}
