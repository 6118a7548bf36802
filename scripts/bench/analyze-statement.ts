// Cost of classifying one statement on the hot path: nanoseconds and heap bytes per
// analyzeStatement call for a few typical statements.
//   node scripts/bench/analyze-statement.ts [iterations, default 200000]
import { analyzeStatement } from '../../packages/router/src/sql/statement-analysis.ts';
import { measureCalls } from './measure-calls.ts';

const iterations = Number(process.argv[2] ?? 200_000);
const options = { charset: 'utf8mb4', ansiQuotes: false, noBackslashEscapes: false };

const statements: Array<[string, string]> = [
  ['point select', 'SELECT c FROM sbtest1 WHERE id=123'],
  ['range select', 'SELECT c FROM sbtest1 WHERE id BETWEEN 10 AND 109 ORDER BY c'],
  ['update', "UPDATE sbtest1 SET k=k+1, c='12345678901-12345678901' WHERE id=5021"],
  ['insert', "INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, 5021, '68487932199-96439406143', '22195207048-70116052123')"],
  ['join', 'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created > NOW() - INTERVAL 1 DAY'],
  ['set', "SET NAMES utf8mb4, sql_mode = 'STRICT_TRANS_TABLES', @x = 1"],
  ['begin', 'BEGIN'],
];

const measure = (run: () => unknown) => measureCalls(run, iterations, Math.min(iterations, 50_000));

const rows: string[] = [];
for (const [name, sql] of statements) {
  const bytes = Buffer.from(sql);
  const result = measure(() => analyzeStatement(bytes, options));
  rows.push(`${name.padEnd(14)} ${result.ns.toFixed(0).padStart(7)} ns ${result.bytes.toFixed(0).padStart(7)} B  analyzeStatement`);
}
console.log(`${iterations} iterations each\n${rows.join('\n')}`);
