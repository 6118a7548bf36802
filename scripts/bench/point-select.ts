// Point-select benchmark: sysbench oltp_point_select (prepared statements) against MariaDB directly,
// through a plain Node byte pipe (the floor for any Node proxy), and through Cathode. Prints QPS,
// p95 latency and the proxies' CPU per query. A benchmark, not a test: it only reports figures.
//
// On a small machine sysbench, MariaDB and the proxy share the cores, and one run's QPS moves by
// 10% or more with scheduling. So the targets are measured in rounds, alternating, and the report
// gives each figure's median over the rounds and the per-round Cathode/pipe ratios.
//
// Targets (issue 7): at 32 threads Cathode >= 0.95x the byte pipe; at 1,000 threads Cathode >= 1.0x
// MariaDB direct (a proxy funnels many clients into few backend connections) with Cathode's CPU per
// query within 1.3x of its 32-thread figure. Each Cathode run also reports MariaDB's Com_stmt_execute,
// Com_stmt_prepare and Com_stmt_close deltas: prepares and closes near the executes mean statements
// are prepared again as they move between backend connections. Cathode runs with its defaults (pool
// min 1, max 64 per reactor); MariaDB with max_connections above the largest thread count. Node
// lifts its soft open-file limit to the hard one and the children inherit it; the bench stops early
// if the hard limit is below 2 x threads + 1,000.
//
//   ./node_modules/.bin/node scripts/bench/point-select.ts        (or: pnpm bench)
//
// Environment:
//   BENCH_SECONDS   measured seconds per run (default 10)
//   BENCH_ROUNDS    rounds of runs, each target in turn (default 3)
//   BENCH_WARMUP    warm-up seconds before each measured run (default 3)
//   BENCH_THREADS   sysbench thread counts, comma-separated (default 4,32,1000)
//   BENCH_TARGETS   which targets, comma-separated: direct,pipe,cathode (default all)
//   BENCH_REACTORS  Cathode's reactor threads (default 1: the 2-vCPU machines this runs on also carry
//                   sysbench and MariaDB; a second reactor mostly adds context switches)
//   BENCH_CPU_PROF  a directory: run Cathode with --cpu-prof there (summarise with cpuprofile-top.ts)
//   BENCH_KEEP      1 = keep the scratch dir (config, logs) afterwards
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ensureSysbenchInstalled, type MariaDbInstance } from '../../packages/testkit/src/index.ts';
import {
  BENCH_PASSWORD,
  BENCH_SCHEMA,
  BENCH_USER,
  BenchHarness,
  choices,
  cpuMicros,
  ensureFileLimit,
  globalStatus,
  machineTicks,
  type MeasuredProcess,
  median,
  positiveInt,
  tail,
} from './bench-harness.ts';

const TABLES = 4;
const TABLE_SIZE = 10_000;
const PIPE_TARGET = { threads: 32, ratio: 0.95 };
const DIRECT_TARGET = { threads: 1000, ratio: 1.0 };
/** Cathode's CPU per query at DIRECT_TARGET.threads may be at most this many times its figure at PIPE_TARGET.threads. */
const CPU_GROWTH_TARGET = 1.3;
const STMT_COUNTERS = ['Com_stmt_execute', 'Com_stmt_prepare', 'Com_stmt_close'] as const;
type StmtCounts = Record<(typeof STMT_COUNTERS)[number], number>;

const seconds = positiveInt('BENCH_SECONDS', 10);
const rounds = positiveInt('BENCH_ROUNDS', 3);
const warmupSeconds = positiveInt('BENCH_WARMUP', 3);
const threadCounts = (process.env.BENCH_THREADS ?? '4,32,1000').split(',').map((value) => Number(value.trim()));
if (threadCounts.some((count) => !Number.isInteger(count) || count <= 0)) throw new Error(`BENCH_THREADS: expected thread counts like 4,32,1000, got ${process.env.BENCH_THREADS}`);
const maxThreads = Math.max(...threadCounts);
const TARGETS = ['direct', 'pipe', 'cathode'] as const;
type Target = (typeof TARGETS)[number];
const targets = choices('BENCH_TARGETS', TARGETS);
const reactors = positiveInt('BENCH_REACTORS', 1);
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const LABELS: Record<Target, string> = { direct: 'MariaDB direct', pipe: 'Node byte pipe', cathode: 'Cathode' };

const harness = new BenchHarness('point-select.ts');
let mariadb: MariaDbInstance | undefined;

// --- sysbench ----------------------------------------------------------------------------------

interface SysbenchResult {
  queries: number;
  qps: number;
  p95Ms: number;
  errors: number;
  reconnects: number;
}

function sysbenchArgs(port: number, extra: string[]): string[] {
  return [
    'oltp_point_select',
    '--db-driver=mysql',
    '--mysql-host=127.0.0.1',
    `--mysql-port=${port}`,
    `--mysql-user=${BENCH_USER}`,
    `--mysql-password=${BENCH_PASSWORD}`,
    `--mysql-db=${BENCH_SCHEMA}`,
    `--tables=${TABLES}`,
    `--table-size=${TABLE_SIZE}`,
    ...extra,
  ];
}

function runSysbench(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('sysbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    harness.track(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (code === 0) done(output);
      else fail(new Error(`sysbench ${args.join(' ')} exited with ${signal ?? code}:\n${output.trimEnd().split('\n').slice(-25).join('\n')}`));
    });
  });
}

function parseSysbench(output: string): SysbenchResult {
  const queries = /queries:\s+(\d+)\s+\(([\d.]+) per sec\.\)/.exec(output);
  const p95 = /95th percentile:\s+([\d.]+)/.exec(output);
  if (!queries || !p95) throw new Error(`cannot read sysbench output:\n${output}`);
  return {
    queries: Number(queries[1]),
    qps: Number(queries[2]),
    p95Ms: Number(p95[1]),
    errors: Number(/ignored errors:\s+(\d+)/.exec(output)?.[1] ?? 0),
    reconnects: Number(/reconnects:\s+(\d+)/.exec(output)?.[1] ?? 0),
  };
}

// --- the benchmark -----------------------------------------------------------------------------

interface Row {
  target: Target;
  threads: number;
  round: number;
  result: SysbenchResult;
  proxyCpuPerQuery: number | undefined;
  mariadbCpuPerQuery: number;
  /** How busy all cores were during the run (sysbench, MariaDB, the proxy and everyone else), 0..1. */
  machineBusy: number;
  /** MariaDB's statement counters over the measured run. */
  stmt: StmtCounts;
}

async function measure(target: Target, port: number, threads: number, proxy: MeasuredProcess | undefined): Promise<Omit<Row, 'round'>> {
  const backend = mariadb!;
  const common = ['--db-ps-mode=auto', `--threads=${threads}`, '--report-interval=0', '--percentile=95'];
  await runSysbench(sysbenchArgs(port, [...common, `--time=${warmupSeconds}`, 'run']));
  const stmtBefore = await globalStatus(backend, STMT_COUNTERS);
  const proxyBefore = proxy ? cpuMicros(proxy.pid) : 0;
  const mariadbBefore = cpuMicros(backend.pid);
  const machineBefore = machineTicks();
  let output: string;
  try {
    output = await runSysbench(sysbenchArgs(port, [...common, `--time=${seconds}`, 'run']));
  } catch (error) {
    if (proxy) (error as Error).message += `\n--- ${target} log (last lines) ---\n${tail(proxy.logPath)}`;
    throw error;
  }
  const proxyAfter = proxy ? cpuMicros(proxy.pid) : 0;
  const mariadbAfter = cpuMicros(backend.pid);
  const machineAfter = machineTicks();
  const stmtAfter = await globalStatus(backend, STMT_COUNTERS);
  const result = parseSysbench(output);
  const perQuery = (micros: number) => micros / Math.max(result.queries, 1);
  const stmt = {} as StmtCounts;
  for (const name of STMT_COUNTERS) stmt[name] = stmtAfter[name] - stmtBefore[name];
  return {
    target,
    threads,
    result,
    proxyCpuPerQuery: proxy ? perQuery(proxyAfter - proxyBefore) : undefined,
    mariadbCpuPerQuery: perQuery(mariadbAfter - mariadbBefore),
    machineBusy: (machineAfter.busy - machineBefore.busy) / Math.max(machineAfter.total - machineBefore.total, 1),
    stmt,
  };
}

function describeStmt(stmt: StmtCounts): string {
  const perExecute = (count: number) => (stmt.Com_stmt_execute > 0 ? (count / stmt.Com_stmt_execute).toFixed(3) : '-');
  return `MariaDB stmt execute +${stmt.Com_stmt_execute}, prepare +${stmt.Com_stmt_prepare} (${perExecute(stmt.Com_stmt_prepare)}/execute), close +${stmt.Com_stmt_close} (${perExecute(stmt.Com_stmt_close)}/execute)`;
}

function printTable(header: string[], lines: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(`${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

function printReport(rows: Row[]): void {
  const runsOf = (target: Target, threads: number) => rows.filter((row) => row.target === target && row.threads === threads);
  const proxyCpuOf = (runs: Row[]) => runs.flatMap((run) => (run.proxyCpuPerQuery === undefined ? [] : [run.proxyCpuPerQuery]));
  const lines: string[][] = [];
  for (const target of targets) {
    for (const threads of threadCounts) {
      const runs = runsOf(target, threads);
      if (runs.length === 0) continue;
      const proxyCpu = proxyCpuOf(runs);
      const sum = (pick: (stmt: StmtCounts) => number) => runs.reduce((total, run) => total + pick(run.stmt), 0);
      const executes = sum((stmt) => stmt.Com_stmt_execute);
      lines.push([
        LABELS[target],
        String(threads),
        median(runs.map((run) => run.result.qps)).toFixed(0),
        median(runs.map((run) => run.result.p95Ms)).toFixed(2),
        proxyCpu.length === 0 ? '-' : median(proxyCpu).toFixed(1),
        median(runs.map((run) => run.mariadbCpuPerQuery)).toFixed(1),
        `${(median(runs.map((run) => run.machineBusy)) * 100).toFixed(0)}%`,
        executes === 0 ? '-' : `${(sum((stmt) => stmt.Com_stmt_prepare) / executes).toFixed(3)} / ${(sum((stmt) => stmt.Com_stmt_close) / executes).toFixed(3)}`,
        String(runs.reduce((total, run) => total + run.result.errors + run.result.reconnects, 0)),
      ]);
    }
  }
  console.log(`\nMedians over ${rounds} round(s):`);
  printTable(['target', 'threads', 'QPS', 'p95 ms', 'proxy CPU µs/query', 'MariaDB CPU µs/query', 'machine busy', 'prepares / closes per execute', 'errors'], lines);

  /** Cathode's QPS over `other`'s, per round (runs of the same round ran back to back). */
  const ratios = (other: Target, threads: number) => {
    const cathode = runsOf('cathode', threads);
    const others = runsOf(other, threads);
    return cathode.flatMap((run) => others.filter((o) => o.round === run.round).map((o) => run.result.qps / o.result.qps));
  };
  const describe = (values: number[]) => `${median(values).toFixed(2)}x (rounds: ${values.map((value) => value.toFixed(2)).join(', ')})`;
  console.log('');
  for (const threads of threadCounts) {
    const parts: string[] = [];
    const direct = ratios('direct', threads);
    const pipe = ratios('pipe', threads);
    if (direct.length > 0) parts.push(`Cathode/direct ${describe(direct)}`);
    if (pipe.length > 0) parts.push(`Cathode/byte-pipe ${describe(pipe)}`);
    if (parts.length > 0) console.log(`${String(threads).padStart(4)} threads: ${parts.join('; ')}`);
  }

  console.log('\nTargets:');
  const verdict = (value: number | undefined, met: (value: number) => boolean, describeValue: (value: number) => string) =>
    value === undefined ? 'not measured in this run' : `${met(value) ? 'PASS' : 'MISS'} (${describeValue(value)})`;
  const medianOrUndefined = (values: number[]) => (values.length === 0 ? undefined : median(values));
  const pipeRatio = medianOrUndefined(ratios('pipe', PIPE_TARGET.threads));
  console.log(`  Cathode >= ${PIPE_TARGET.ratio.toFixed(2)}x byte pipe at ${PIPE_TARGET.threads} threads: ${verdict(pipeRatio, (ratio) => ratio >= PIPE_TARGET.ratio, (ratio) => `median ${ratio.toFixed(2)}x`)}`);
  const directRatio = medianOrUndefined(ratios('direct', DIRECT_TARGET.threads));
  console.log(`  Cathode >= ${DIRECT_TARGET.ratio.toFixed(2)}x MariaDB direct at ${DIRECT_TARGET.threads} threads: ${verdict(directRatio, (ratio) => ratio >= DIRECT_TARGET.ratio, (ratio) => `median ${ratio.toFixed(2)}x`)}`);
  const cpuHigh = medianOrUndefined(proxyCpuOf(runsOf('cathode', DIRECT_TARGET.threads)));
  const cpuLow = medianOrUndefined(proxyCpuOf(runsOf('cathode', PIPE_TARGET.threads)));
  const growth = cpuHigh === undefined || cpuLow === undefined ? undefined : cpuHigh / cpuLow;
  console.log(
    `  Cathode CPU/query at ${DIRECT_TARGET.threads} threads <= ${CPU_GROWTH_TARGET}x its ${PIPE_TARGET.threads}-thread figure: ` +
      verdict(growth, (value) => value <= CPU_GROWTH_TARGET, (value) => `${cpuHigh!.toFixed(1)} µs vs ${cpuLow!.toFixed(1)} µs, ${value.toFixed(2)}x`),
  );
}

async function main(): Promise<void> {
  // The byte pipe holds two sockets per sysbench thread; MariaDB, sysbench and Cathode one each.
  ensureFileLimit(2 * maxThreads + 1_000);
  await ensureSysbenchInstalled();
  console.log(
    `point-select bench: ${availableParallelism()} CPUs, ${rounds} round(s) of ${seconds}s runs (+${warmupSeconds}s warm-up), threads ${threadCounts.join(',')}, ` +
      `sysbench oltp_point_select --tables=${TABLES} --table-size=${TABLE_SIZE} --db-ps-mode=auto; Cathode with ${reactors} reactor(s) and its default pool`,
  );
  console.log(`scratch dir ${harness.scratch}`);

  // Room for every sysbench thread of the direct and pipe runs, plus the status queries.
  mariadb = await harness.startMariaDb([`--max-connections=${Math.max(1000, maxThreads + 200)}`]);
  const backend = mariadb;
  console.log(`MariaDB on 127.0.0.1:${backend.port} (pid ${backend.pid})`);
  await runSysbench(sysbenchArgs(backend.port, ['--threads=4', 'prepare']));
  console.log(`sysbench prepare: ${TABLES} tables x ${TABLE_SIZE} rows`);

  // The proxies stay up between their runs; idle, they cost nothing.
  const proxies = new Map<Target, MeasuredProcess>();
  if (targets.includes('pipe')) proxies.set('pipe', await harness.startBytePipe(backend.port));
  if (targets.includes('cathode')) proxies.set('cathode', await harness.startCathode(backend.port, { reactors, cpuProfDir }));
  for (const target of targets) {
    const proxy = proxies.get(target);
    console.log(`${LABELS[target]} on 127.0.0.1:${proxy?.port ?? backend.port}${proxy ? ` (pid ${proxy.pid})` : ''}`);
  }
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const threads of threadCounts) {
        for (const target of targets) {
          const proxy = proxies.get(target);
          const row = { ...(await measure(target, proxy?.port ?? backend.port, threads, proxy)), round };
          rows.push(row);
          const cpu = row.proxyCpuPerQuery === undefined ? '' : `, ${row.proxyCpuPerQuery.toFixed(1)} µs CPU/query`;
          console.log(`  round ${round}, ${LABELS[target]}, ${String(threads).padStart(4)} threads: ${row.result.qps.toFixed(0)} QPS, p95 ${row.result.p95Ms.toFixed(2)} ms${cpu}, machine ${(row.machineBusy * 100).toFixed(0)}% busy`);
          if (target === 'cathode') console.log(`    ${describeStmt(row.stmt)}`);
          if (row.result.errors + row.result.reconnects > 0) console.log(`  !! ${row.result.errors} ignored errors, ${row.result.reconnects} reconnects`);
        }
      }
    }
  } finally {
    for (const [target, proxy] of proxies) {
      await harness.stopChild(proxy.child);
      const log = tail(proxy.logPath, 10);
      if (log) console.log(`  ${LABELS[target]} log (last lines):\n${log.replace(/^/gm, '    ')}`);
    }
  }
  printReport(rows);
  if (cpuProfDir) console.log(`\nCPU profiles in ${cpuProfDir}: node scripts/bench/cpuprofile-top.ts ${cpuProfDir}`);
}

await harness.run(main);
