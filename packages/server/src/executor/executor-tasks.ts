import { analyzeStatement, type WorkMeter } from '@cathode/router';
import type { AnalyzeResult, ExecutorTask } from '../threads/messages.ts';

/** Piscina worker entry: CPU-heavy work kept off the reactors' event loops. */
export default function run(task: ExecutorTask): AnalyzeResult {
  switch (task.kind) {
    case 'analyze': {
      const meter: WorkMeter = { steps: 0, tokens: 0 };
      const analysis = analyzeStatement(Buffer.from(task.sql), { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false }, meter);
      // Until its caller re-applies user variables and resets untracked connections, both pin.
      const pinReason = analysis.pinReason ?? (analysis.userVariables.size > 0 ? 'user variable' : analysis.untracked);
      return { statements: analysis.statementCount, pinReason, tokens: meter.tokens ?? 0 };
    }
    default:
      throw new Error(`unknown executor task ${(task as { kind: string }).kind}`);
  }
}
