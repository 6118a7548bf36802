// Point-select benchmark: sysbench oltp_point_select (prepared statements) against MariaDB directly,
// through a plain Node byte pipe (the floor for any Node proxy), and through Cathode. Prints QPS,
// p95 latency and the proxies' CPU per query. A benchmark, not a test: it only reports figures.
//
// On a small machine sysbench, MariaDB and the proxy share the cores, and one run's QPS moves by
// 10% or more with scheduling. So the targets are measured in rounds, alternating, and the report
// gives each figure's median over the rounds and the per-round Cathode/pipe ratios.
//
//   ./node_modules/.bin/node scripts/bench/point-select.ts        (or: pnpm bench)
//
// Environment:
//   BENCH_SECONDS   measured seconds per run (default 10)
//   BENCH_ROUNDS    rounds of runs, each target in turn (default 3)
//   BENCH_WARMUP    warm-up seconds before each measured run (default 3)
//   BENCH_THREADS   sysbench thread counts, comma-separated (default 4,32)
//   BENCH_TARGETS   which targets, comma-separated: direct,pipe,cathode (default all)
//   BENCH_REACTORS  Cathode's reactor threads (default 1: the 2-vCPU machines this runs on also carry
//                   sysbench and MariaDB; a second reactor mostly adds context switches)
//   BENCH_CPU_PROF  a directory: run Cathode with --cpu-prof there (summarise with cpuprofile-top.ts)
//   BENCH_KEEP      1 = keep the scratch dir (config, logs) afterwards
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  adminQuery,
  ensureMariaDbInstalled,
  ensureSysbenchInstalled,
  freePort,
  type MariaDbInstance,
  startMariaDb,
} from '../../packages/testkit/src/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/server/bin/cathode.mjs');
const BYTE_PIPE = join(import.meta.dirname, 'byte-pipe.ts');
const TABLES = 4;
const TABLE_SIZE = 10_000;
const USER = 'sbtest';
const PASSWORD = 'sbtest';
const SCHEMA = 'sbtest';
const TARGET_RATIO = 0.9;
const TARGET_THREADS = 32;

const seconds = positiveInt('BENCH_SECONDS', 10);
const rounds = positiveInt('BENCH_ROUNDS', 3);
const warmupSeconds = positiveInt('BENCH_WARMUP', 3);
const threadCounts = (process.env.BENCH_THREADS ?? '4,32').split(',').map((value) => Number(value.trim()));
if (threadCounts.some((count) => !Number.isInteger(count) || count <= 0)) throw new Error(`BENCH_THREADS: expected thread counts like 4,32, got ${process.env.BENCH_THREADS}`);
const TARGETS = ['direct', 'pipe', 'cathode'] as const;
type Target = (typeof TARGETS)[number];
const targets = (process.env.BENCH_TARGETS ?? TARGETS.join(',')).split(',').map((name) => name.trim()) as Target[];
for (const target of targets) if (!TARGETS.includes(target)) throw new Error(`BENCH_TARGETS: unknown target ${target} (expected ${TARGETS.join(', ')})`);
const reactors = positiveInt('BENCH_REACTORS', 1);
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const LABELS: Record<Target, string> = { direct: 'MariaDB direct', pipe: 'Node byte pipe', cathode: 'Cathode' };

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer, got ${raw}`);
  return value;
}

// --- processes ---------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/** Spawns a child we own; setpriv's parent-death signal kills it even if we die by SIGKILL (and it execs, so the pid is the child's). */
function spawnOwned(command: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = createWriteStream(logPath);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves once `port` answers with the first bytes of a MySQL handshake; fails if `child` exits first. */
async function waitForServer(port: number, child: ChildProcess, logPath: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited(child)) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before listening on ${port}:\n${tail(logPath)}`);
    const greeted = await new Promise<boolean>((done) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setTimeout(1_000);
      socket.once('data', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
      socket.once('timeout', () => {
        socket.destroy();
        done(false);
      });
    });
    if (greeted) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on port ${port} within ${timeoutMs} ms:\n${tail(logPath)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

// --- CPU accounting ----------------------------------------------------------------------------

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process (all its threads), in µs. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLK_TCK;
}

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
    `--mysql-user=${USER}`,
    `--mysql-password=${PASSWORD}`,
    `--mysql-db=${SCHEMA}`,
    `--tables=${TABLES}`,
    `--table-size=${TABLE_SIZE}`,
    ...extra,
  ];
}

function runSysbench(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('sysbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      children.delete(child);
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
}

const scratch = mkdtempSync(join(tmpdir(), 'cathode-bench-'));
let mariadb: MariaDbInstance | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled([...children].map((child) => stopChild(child)));
    await mariadb?.stop().catch((error: Error) => console.error(`stopping MariaDB: ${error.message}`));
    if (process.env.BENCH_KEEP === '1') console.error(`scratch dir kept: ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}

// `on`, not `once`: while we listen, testkit's own signal handler does not re-raise the signal
// (which would kill us before the cleanup is done).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping everything...`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startCathode(mariadbPort: number): Promise<{ child: ChildProcess; port: number; logPath: string }> {
  const port = await freePort();
  const configPath = join(scratch, 'cathode.yaml');
  writeFileSync(
    configPath,
    `# Generated by scripts/bench/point-select.ts
listen: { host: 127.0.0.1, port: ${port} }
users:
  - name: ${USER}
    password: ${PASSWORD}
    schemas: [${SCHEMA}]
backends:
  - name: bench
    host: 127.0.0.1
    port: ${mariadbPort}
    user: root
    password: ""
    pool: { min: 1, max: 64 }
schemas:
  - name: ${SCHEMA}
    backend: bench
log: { level: warn }
reactors: ${reactors}
`,
  );
  const logPath = join(scratch, 'cathode.log');
  const nodeFlags = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawnOwned(process.execPath, [...nodeFlags, CLI, '--config', configPath], logPath);
  await waitForServer(port, child, logPath);
  return { child, port, logPath };
}

async function startBytePipe(mariadbPort: number): Promise<{ child: ChildProcess; port: number; logPath: string }> {
  const port = await freePort();
  const logPath = join(scratch, 'byte-pipe.log');
  const child = spawnOwned(process.execPath, [BYTE_PIPE, String(port), '127.0.0.1', String(mariadbPort)], logPath);
  await waitForServer(port, child, logPath);
  return { child, port, logPath };
}

async function measure(target: Target, port: number, threads: number, proxy: { child: ChildProcess; logPath: string } | undefined): Promise<Omit<Row, 'round'>> {
  const common = ['--db-ps-mode=auto', `--threads=${threads}`, '--report-interval=0', '--percentile=95'];
  await runSysbench(sysbenchArgs(port, [...common, `--time=${warmupSeconds}`, 'run']));
  const proxyPid = proxy?.child.pid;
  const proxyBefore = proxyPid ? cpuMicros(proxyPid) : 0;
  const mariadbBefore = cpuMicros(mariadb!.pid);
  let output: string;
  try {
    output = await runSysbench(sysbenchArgs(port, [...common, `--time=${seconds}`, 'run']));
  } catch (error) {
    if (proxy) (error as Error).message += `\n--- ${target} log (last lines) ---\n${tail(proxy.logPath)}`;
    throw error;
  }
  const result = parseSysbench(output);
  const perQuery = (micros: number) => micros / Math.max(result.queries, 1);
  return {
    target,
    threads,
    result,
    proxyCpuPerQuery: proxyPid ? perQuery(cpuMicros(proxyPid) - proxyBefore) : undefined,
    mariadbCpuPerQuery: perQuery(cpuMicros(mariadb!.pid) - mariadbBefore),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printReport(rows: Row[]): void {
  const runsOf = (target: Target, threads: number) => rows.filter((row) => row.target === target && row.threads === threads);
  const header = ['target', 'threads', 'QPS', 'p95 ms', 'proxy CPU µs/query', 'MariaDB CPU µs/query', 'errors'];
  const lines: string[][] = [];
  for (const target of targets) {
    for (const threads of threadCounts) {
      const runs = runsOf(target, threads);
      if (runs.length === 0) continue;
      const proxyCpu = runs.flatMap((run) => (run.proxyCpuPerQuery === undefined ? [] : [run.proxyCpuPerQuery]));
      lines.push([
        LABELS[target],
        String(threads),
        median(runs.map((run) => run.result.qps)).toFixed(0),
        median(runs.map((run) => run.result.p95Ms)).toFixed(2),
        proxyCpu.length === 0 ? '-' : median(proxyCpu).toFixed(1),
        median(runs.map((run) => run.mariadbCpuPerQuery)).toFixed(1),
        String(runs.reduce((sum, run) => sum + run.result.errors + run.result.reconnects, 0)),
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(`\nMedians over ${rounds} round(s):\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));

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
    if (parts.length > 0) console.log(`${String(threads).padStart(3)} threads: ${parts.join('; ')}`);
  }
  const target = ratios('pipe', TARGET_THREADS);
  const verdict = target.length === 0 ? 'not measured in this run' : `${median(target) >= TARGET_RATIO ? 'MET' : 'NOT MET'} (median ${median(target).toFixed(2)}x)`;
  console.log(`Target "Cathode >= ${TARGET_RATIO}x byte pipe at ${TARGET_THREADS} threads": ${verdict}`);
}

async function main(): Promise<void> {
  await ensureMariaDbInstalled();
  await ensureSysbenchInstalled();
  console.log(
    `point-select bench: ${availableParallelism()} CPUs, ${rounds} round(s) of ${seconds}s runs (+${warmupSeconds}s warm-up), threads ${threadCounts.join(',')}, ` +
      `sysbench oltp_point_select --tables=${TABLES} --table-size=${TABLE_SIZE} --db-ps-mode=auto; Cathode with ${reactors} reactor(s)`,
  );
  console.log(`scratch dir ${scratch}`);

  mariadb = await startMariaDb();
  const backend = mariadb;
  console.log(`MariaDB on 127.0.0.1:${backend.port} (pid ${backend.pid})`);
  await adminQuery(
    backend,
    `CREATE DATABASE ${SCHEMA};
     CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}';
     CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';
     GRANT ALL PRIVILEGES ON ${SCHEMA}.* TO '${USER}'@'%';
     GRANT ALL PRIVILEGES ON ${SCHEMA}.* TO '${USER}'@'127.0.0.1';`,
  );
  await runSysbench(sysbenchArgs(backend.port, ['--threads=4', 'prepare']));
  console.log(`sysbench prepare: ${TABLES} tables x ${TABLE_SIZE} rows`);

  // The proxies stay up between their runs; idle, they cost nothing.
  const proxies = new Map<Target, { child: ChildProcess; port: number; logPath: string }>();
  if (targets.includes('pipe')) proxies.set('pipe', await startBytePipe(backend.port));
  if (targets.includes('cathode')) proxies.set('cathode', await startCathode(backend.port));
  for (const target of targets) {
    const proxy = proxies.get(target);
    console.log(`${LABELS[target]} on 127.0.0.1:${proxy?.port ?? backend.port}${proxy ? ` (pid ${proxy.child.pid})` : ''}`);
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
          console.log(`  round ${round}, ${LABELS[target]}, ${String(threads).padStart(3)} threads: ${row.result.qps.toFixed(0)} QPS, p95 ${row.result.p95Ms.toFixed(2)} ms${cpu}`);
          if (row.result.errors + row.result.reconnects > 0) console.log(`  !! ${row.result.errors} ignored errors, ${row.result.reconnects} reconnects`);
        }
      }
    }
  } finally {
    for (const [target, proxy] of proxies) {
      await stopChild(proxy.child);
      const log = tail(proxy.logPath, 10);
      if (log) console.log(`  ${LABELS[target]} log (last lines):\n${log.replace(/^/gm, '    ')}`);
    }
  }
  printReport(rows);
  if (cpuProfDir) console.log(`\nCPU profiles in ${cpuProfDir}: node scripts/bench/cpuprofile-top.ts ${cpuProfDir}`);
}

try {
  await main();
} catch (error) {
  if (!interrupted) console.error(`\nbench failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
