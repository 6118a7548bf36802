// What the bench scripts share: a scratch dir, children that die with us, a MariaDB with the bench
// account, Cathode and the byte pipe as measured processes, and /proc readings of CPU and memory.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  adminQuery,
  ensureMariaDbInstalled,
  freePort,
  type MariaDbInstance,
  startMariaDb,
} from '../../packages/testkit/src/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/server/bin/cathode.mjs');
const BYTE_PIPE = join(import.meta.dirname, 'byte-pipe.ts');

/** The account and schema every bench uses, on MariaDB and on Cathode alike. */
export const BENCH_USER = 'sbtest';
export const BENCH_PASSWORD = 'sbtest';
export const BENCH_SCHEMA = 'sbtest';

export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer, got ${raw}`);
  return value;
}

/** A comma-separated choice from `allowed`, all of them by default. */
export function choices<T extends string>(name: string, allowed: readonly T[]): T[] {
  const chosen = (process.env[name] ?? allowed.join(',')).split(',').map((value) => value.trim()) as T[];
  for (const value of chosen) if (!allowed.includes(value)) throw new Error(`${name}: unknown value ${value} (expected ${allowed.join(', ')})`);
  return chosen;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// --- /proc readings ----------------------------------------------------------------------------

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process (all its threads), in µs. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLK_TCK;
}

/** Busy and total CPU time of the whole machine (all cores) since boot, in clock ticks. */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3] - fields[4], total };
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(line[1]) * 1024;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Makes sure this process (and so every child: sysbench, mariadbd, Cathode inherit it) may open
 * `needed` files. Node already lifts its soft limit to the hard one at start-up; prlimit covers a
 * runtime that does not, and only root can go past the hard limit, so that case is an error.
 */
export function ensureFileLimit(needed: number): void {
  const read = () => {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const value = (field: string | undefined) => (field === undefined || field === 'unlimited' ? Number.POSITIVE_INFINITY : Number(field));
    return { soft: value(line?.[1]), hard: value(line?.[2]) };
  };
  let { soft, hard } = read();
  if (soft >= needed) return;
  if (hard < needed) {
    throw new Error(`this needs ${needed} open files per process but the hard limit is ${hard}: raise it (ulimit -Hn as root, LimitNOFILE in systemd, --ulimit nofile in Docker)`);
  }
  execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`]);
  ({ soft } = read());
  if (soft < needed) throw new Error(`could not raise the open-file limit to ${needed} (soft limit ${soft})`);
}

// --- MariaDB -----------------------------------------------------------------------------------

/** Reads numeric `SHOW GLOBAL STATUS` counters. */
export async function globalStatus<T extends string>(mariadb: MariaDbInstance, names: readonly T[]): Promise<Record<T, number>> {
  const rows = await adminQuery(mariadb, `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(',')})`, [...names]);
  const status = {} as Record<T, number>;
  for (const name of names) status[name] = Number(rows.find((row) => row.Variable_name === name)?.Value ?? Number.NaN);
  return status;
}

// --- the harness -------------------------------------------------------------------------------

/** A process under measurement: Cathode or the byte pipe. */
export interface MeasuredProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  logPath: string;
}

export interface CathodeOptions {
  reactors: number;
  cpuProfDir?: string | undefined;
  /** Node flags besides the profiler's (e.g. --trace-gc-nvp). */
  nodeFlags?: string[];
  /** Another checkout's cathode.mjs, to measure an older commit with the same bench. */
  cli?: string;
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Owns a bench run's scratch dir and child processes: on success, failure, SIGINT or SIGTERM
 * every child and the MariaDB instance are stopped and the scratch dir is removed.
 */
export class BenchHarness {
  readonly scratch: string;
  private readonly script: string;
  private readonly children = new Set<ChildProcess>();
  private mariadb: MariaDbInstance | undefined;
  private cleaning: Promise<void> | undefined;
  private interrupted = false;

  constructor(script: string) {
    this.script = script;
    this.scratch = mkdtempSync(join(tmpdir(), 'cathode-bench-'));
    // `on`, not `once`: while we listen, testkit's own signal handler does not re-raise the signal
    // (which would kill us before the cleanup is done).
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        this.interrupted = true;
        console.error(`\n${signal}: stopping everything...`);
        void this.cleanup().finally(() => process.exit(130));
      });
    }
    process.on('exit', () => {
      for (const child of this.children) child.kill('SIGKILL');
    });
  }

  /** Runs `main`, reports a failure, and always cleans up. */
  async run(main: () => Promise<void>): Promise<void> {
    try {
      await main();
    } catch (error) {
      if (!this.interrupted) console.error(`\nbench failed: ${(error as Error).stack ?? error}`);
      process.exitCode = 1;
    } finally {
      await this.cleanup();
    }
  }

  /** Keeps `child` in the set that is killed on the way out. */
  track(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** Spawns a child we own; setpriv's parent-death signal kills it even if we die by SIGKILL (and it execs, so the pid is the child's). */
  spawnOwned(command: string, args: string[], logPath: string): ChildProcess {
    const child = SETPRIV
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logPath);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.track(child);
    return child;
  }

  async stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
    if (exited(child)) return;
    const gone = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** A throwaway MariaDB with the bench schema and account (reachable as '%' and '127.0.0.1'). */
  async startMariaDb(extraArgs: string[] = []): Promise<MariaDbInstance> {
    await ensureMariaDbInstalled();
    this.mariadb = await startMariaDb({ extraArgs });
    await adminQuery(
      this.mariadb,
      `CREATE DATABASE ${BENCH_SCHEMA};
       CREATE USER '${BENCH_USER}'@'%' IDENTIFIED BY '${BENCH_PASSWORD}';
       CREATE USER '${BENCH_USER}'@'127.0.0.1' IDENTIFIED BY '${BENCH_PASSWORD}';
       GRANT ALL PRIVILEGES ON ${BENCH_SCHEMA}.* TO '${BENCH_USER}'@'%';
       GRANT ALL PRIVILEGES ON ${BENCH_SCHEMA}.* TO '${BENCH_USER}'@'127.0.0.1';`,
    );
    return this.mariadb;
  }

  /** Cathode with its defaults (pool min 1, max 64 per reactor), serving the bench schema from `mariadbPort`. */
  async startCathode(mariadbPort: number, options: CathodeOptions): Promise<MeasuredProcess> {
    const port = await freePort();
    const configPath = join(this.scratch, 'cathode.yaml');
    writeFileSync(
      configPath,
      `# Generated by scripts/bench/${this.script}
listen: { host: 127.0.0.1, port: ${port} }
users:
  - name: ${BENCH_USER}
    password: ${BENCH_PASSWORD}
    schemas: [${BENCH_SCHEMA}]
backends:
  - name: bench
    host: 127.0.0.1
    port: ${mariadbPort}
    user: root
    password: ""
schemas:
  - name: ${BENCH_SCHEMA}
    backend: bench
log: { level: warn }
reactors: ${options.reactors}
`,
    );
    const logPath = join(this.scratch, 'cathode.log');
    const nodeFlags = [...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []), ...(options.nodeFlags ?? [])];
    const child = this.spawnOwned(process.execPath, [...nodeFlags, options.cli ?? CLI, '--config', configPath], logPath);
    await waitForServer(port, child, logPath);
    return { child, pid: child.pid!, port, logPath };
  }

  async startBytePipe(mariadbPort: number): Promise<MeasuredProcess> {
    const port = await freePort();
    const logPath = join(this.scratch, 'byte-pipe.log');
    const child = this.spawnOwned(process.execPath, [BYTE_PIPE, String(port), '127.0.0.1', String(mariadbPort)], logPath);
    await waitForServer(port, child, logPath);
    return { child, pid: child.pid!, port, logPath };
  }

  private cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      await Promise.allSettled([...this.children].map((child) => this.stopChild(child)));
      await this.mariadb?.stop().catch((error: Error) => console.error(`stopping MariaDB: ${error.message}`));
      if (process.env.BENCH_KEEP === '1') console.error(`scratch dir kept: ${this.scratch}`);
      else rmSync(this.scratch, { recursive: true, force: true });
    })();
    return this.cleaning;
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
