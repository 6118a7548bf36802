import { statementEffects, tokenize } from '@cathode/router';
import type { AnalyzeResult, ExecutorTask } from '../threads/messages.ts';

/** Piscina worker entry: CPU-heavy work kept off the reactors' event loops. */
export default function run(task: ExecutorTask): AnalyzeResult {
  switch (task.kind) {
    case 'analyze': {
      const effects = statementEffects(task.sql);
      const tokens = tokenize(task.sql);
      return { statements: tokens.filter((token) => token.text === ';').length + 1, pinReason: effects.pinReason, tokens: tokens.length };
    }
    default:
      throw new Error(`unknown executor task ${(task as { kind: string }).kind}`);
  }
}
