// Heap bytes the reactor allocates per statement: Cathode (one reactor, its defaults) runs with
// --trace-gc-nvp, and the bytes V8 reports allocated between the garbage collections of the
// reactor's isolate are summed over prepared point selects (mysql2 execute) and text point
// selects (mysql2 query) from one client. A benchmark, not a test: it prints figures.
//
//   node scripts/bench/statement-allocations.ts
//
// Environment:
//   ALLOC_STATEMENTS   statements measured per kind (default 50000, after as many to warm up)
//   ALLOC_CATHODE      another checkout's root to measure instead (its packages/server/bin/cathode.mjs),
//                      e.g. a `git worktree` of an older commit, to compare the per-statement path
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { BENCH_PASSWORD, BENCH_SCHEMA, BENCH_USER, BenchHarness, positiveInt } from './bench-harness.ts';
import { adminQuery } from '../../packages/testkit/src/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const statements = positiveInt('ALLOC_STATEMENTS', 50_000);
const cathodeRoot = resolve(process.env.ALLOC_CATHODE ?? ROOT);
/** The part of mysql2 (a dependency of the testkit) this bench drives. */
interface Client {
  execute(sql: string, values: unknown[]): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const mysql = createRequire(join(ROOT, 'packages/testkit/package.json'))('mysql2/promise') as { createConnection(options: object): Promise<Client> };

/** Sums `allocated` of the GC trace lines per isolate in `log` from character `from` on. */
function allocatedByIsolate(log: string, from: number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of log.slice(from).split('\n')) {
    const match = /^\[\d+:(0x[0-9a-f]+):\d+\].*"allocated":(\d+)/.exec(line);
    if (match) totals.set(match[1], (totals.get(match[1]) ?? 0) + Number(match[2]));
  }
  return totals;
}

const harness = new BenchHarness('statement-allocations.ts');
await harness.run(async () => {
  const mariadb = await harness.startMariaDb();
  await adminQuery(mariadb, `CREATE TABLE ${BENCH_SCHEMA}.points (id INT PRIMARY KEY, c CHAR(120) NOT NULL); INSERT INTO ${BENCH_SCHEMA}.points SELECT seq, REPEAT('x', 120) FROM ${BENCH_SCHEMA}.seq_1_to_1000`);
  const cathode = await harness.startCathode(mariadb.port, { reactors: 1, nodeFlags: ['--trace-gc-nvp'], cli: join(cathodeRoot, 'packages/server/bin/cathode.mjs') });
  const client = await mysql.createConnection({ host: '127.0.0.1', port: cathode.port, user: BENCH_USER, password: BENCH_PASSWORD, database: BENCH_SCHEMA });
  const kinds: Array<[string, (id: number) => Promise<unknown>]> = [
    ['execute (prepared)', (id) => client.execute('SELECT c FROM points WHERE id = ?', [id])],
    ['query (text)', (id) => client.query(`SELECT c FROM points WHERE id = ${id}`)],
  ];
  console.log(`Cathode from ${cathodeRoot}: ${statements} statements per kind, after as many to warm up`);
  for (const [name, run] of kinds) {
    for (let i = 0; i < statements; i++) await run((i % 1000) + 1);
    const from = readFileSync(cathode.logPath, 'utf8').length;
    for (let i = 0; i < statements; i++) await run((i % 1000) + 1);
    // The reactor is the isolate that allocated most while the statements ran.
    const reactor = Math.max(0, ...allocatedByIsolate(readFileSync(cathode.logPath, 'utf8'), from).values());
    console.log(`${name.padEnd(20)} ${(reactor / statements).toFixed(0).padStart(6)} bytes per statement in the reactor`);
  }
  await client.end();
});
