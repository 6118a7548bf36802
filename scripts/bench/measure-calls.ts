import { getHeapStatistics } from 'node:v8';

/** Nanoseconds and heap bytes per call of `run`, over `iterations` calls after a warm-up (V8's own allocation counter). */
export function measureCalls(run: () => unknown, iterations: number, warmup = Math.min(iterations, 200_000)): { ns: number; bytes: number } {
  for (let i = 0; i < warmup; i++) run();
  const bytesBefore = getHeapStatistics().total_allocated_bytes;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  const bytes = (getHeapStatistics().total_allocated_bytes - bytesBefore) / iterations;
  return { ns, bytes };
}
