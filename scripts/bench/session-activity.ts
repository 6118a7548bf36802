// What SHOW PROCESSLIST's bookkeeping costs each command: nanoseconds and heap bytes per
// SessionActivity.begin + finish (the per-command path), beside Date.now() for comparison
// (which boxes a number on every call: the reason the activity reads a coarse clock instead).
//   node scripts/bench/session-activity.ts [iterations, default 2000000]
import { SessionActivity } from '../../packages/router/src/session/session-activity.ts';
import { measureCalls } from './measure-calls.ts';

const iterations = Number(process.argv[2] ?? 2_000_000);

const measure = (run: () => unknown) => measureCalls(run, iterations);

const activity = new SessionActivity();
const query = Buffer.from('\x03SELECT c FROM sbtest1 WHERE id=123', 'latin1');
const execute = Buffer.from([0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
const finish = () => {};
const rows = [
  ['begin + finish (query)', measure(() => activity.begin(query, finish)())],
  ['begin + finish (execute)', measure(() => activity.begin(execute, finish)())],
  ['Date.now()', measure(() => Date.now())],
] as const;
console.log(`${iterations} iterations each\n${rows.map(([name, r]) => `${name.padEnd(26)} ${r.ns.toFixed(1).padStart(6)} ns ${r.bytes.toFixed(1).padStart(6)} B`).join('\n')}`);
