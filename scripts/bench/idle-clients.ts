// Idle capacity: what an authenticated client that sends nothing costs the proxy. Opens N logged-in
// client connections to Cathode (and, as a reference, to the plain Node byte pipe), and prints the
// proxy's resident memory before and after, per idle client, and MariaDB's Threads_connected: idle
// Cathode clients hold no backend connection, so it stays at the pool's minimum, while every byte
// pipe client is a MariaDB connection of its own. Afterwards every client is sent COM_PING, to show
// that the sessions are alive and not just their sockets. Needs 2 x IDLE_CLIENTS + 1,000 open files
// per process (the hard limit; Node lifts the soft one to it).
//
//   ./node_modules/.bin/node scripts/bench/idle-clients.ts
//
// Environment:
//   IDLE_CLIENTS     idle authenticated clients per target (default 5000)
//   IDLE_TARGETS     cathode,pipe (default both)
//   IDLE_PARALLEL    logins in flight at once (default 64: under the listen backlog of 511)
//   BENCH_REACTORS   Cathode's reactor threads (default 1, as in point-select.ts)
//   BENCH_KEEP       1 = keep the scratch dir (config, logs) afterwards
import type net from 'node:net';
import { availableParallelism } from 'node:os';
import {
  BENCH_PASSWORD,
  BENCH_SCHEMA,
  BENCH_USER,
  BenchHarness,
  choices,
  ensureFileLimit,
  globalStatus,
  type MeasuredProcess,
  mib,
  positiveInt,
  rssBytes,
  tail,
} from './bench-harness.ts';
import { ping, rawLogin } from './raw-login.ts';

const TARGETS = ['cathode', 'pipe'] as const;
type Target = (typeof TARGETS)[number];
const LABELS: Record<Target, string> = { cathode: 'Cathode', pipe: 'Node byte pipe' };
// Logged in and closed before the baseline, so code compiled and buffers sized on first use are not
// counted per client.
const WARMUP_CLIENTS = 50;
const SETTLE_SAMPLE_MS = 500;
const SETTLE_MAX_MS = 10_000;

const clientCount = positiveInt('IDLE_CLIENTS', 5000);
const parallel = positiveInt('IDLE_PARALLEL', 64);
const reactors = positiveInt('BENCH_REACTORS', 1);
const targets = choices('IDLE_TARGETS', TARGETS);

interface Measurement {
  target: Target;
  rssBefore: number;
  rssAfter: number;
  mariadbRssBefore: number;
  mariadbRssAfter: number;
  threadsBefore: number;
  threadsAfter: number;
  loginSeconds: number;
  stillOpen: number;
  /** Clients that answered COM_PING after the measurement: their sessions are alive, not just their sockets. */
  pinged: number;
}

/** Logs in `count` clients, `parallel` at a time; all or nothing. */
async function openClients(port: number, count: number, sockets: net.Socket[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      sockets.push(await rawLogin({ port, user: BENCH_USER, password: BENCH_PASSWORD, database: BENCH_SCHEMA }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/** COM_PING on every client, `parallel` at a time; how many answered OK. */
async function pingClients(sockets: net.Socket[]): Promise<number> {
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < sockets.length) if (await ping(sockets[next++])) answered++;
  };
  await Promise.all(Array.from({ length: Math.min(parallel, sockets.length) }, worker));
  return answered;
}

function closeClients(sockets: net.Socket[]): void {
  for (const socket of sockets) socket.destroy();
  sockets.length = 0;
}

/** RSS once it stops moving (the proxy may still be collecting the garbage of the logins). */
async function settledRss(pid: number): Promise<number> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let previous = rssBytes(pid);
  for (;;) {
    await new Promise((done) => setTimeout(done, SETTLE_SAMPLE_MS));
    const current = rssBytes(pid);
    if (Math.abs(current - previous) < previous * 0.005 || Date.now() > deadline) return current;
    previous = current;
  }
}

async function main(harness: BenchHarness): Promise<void> {
  // Per process: the pipe holds two sockets per client, this process one.
  ensureFileLimit(2 * clientCount + 1_000);
  console.log(`idle-clients bench: ${availableParallelism()} CPUs, ${clientCount} idle authenticated clients per target (${parallel} logins in flight); Cathode with ${reactors} reactor(s) and its default pool`);
  // The byte pipe gives each client a MariaDB connection of its own.
  const mariadb = await harness.startMariaDb(targets.includes('pipe') ? [`--max-connections=${clientCount + WARMUP_CLIENTS + 200}`] : []);
  console.log(`MariaDB on 127.0.0.1:${mariadb.port} (pid ${mariadb.pid})`);
  const threadsConnected = async () => (await globalStatus(mariadb, ['Threads_connected'])).Threads_connected;

  const results: Measurement[] = [];
  for (const target of targets) {
    const proxy: MeasuredProcess = target === 'cathode' ? await harness.startCathode(mariadb.port, { reactors }) : await harness.startBytePipe(mariadb.port);
    console.log(`${LABELS[target]} on 127.0.0.1:${proxy.port} (pid ${proxy.pid})`);
    const sockets: net.Socket[] = [];
    try {
      await openClients(proxy.port, WARMUP_CLIENTS, sockets);
      closeClients(sockets);
      const rssBefore = await settledRss(proxy.pid);
      const mariadbRssBefore = rssBytes(mariadb.pid);
      const threadsBefore = await threadsConnected();
      const started = performance.now();
      await openClients(proxy.port, clientCount, sockets);
      const loginSeconds = (performance.now() - started) / 1000;
      let closed = 0;
      for (const socket of sockets) socket.once('close', () => closed++);
      const rssAfter = await settledRss(proxy.pid);
      const measurement: Measurement = {
        target,
        rssBefore,
        rssAfter,
        mariadbRssBefore,
        mariadbRssAfter: rssBytes(mariadb.pid),
        threadsBefore,
        threadsAfter: await threadsConnected(),
        loginSeconds,
        stillOpen: sockets.length - closed,
        pinged: await pingClients(sockets),
      };
      results.push(measurement);
      console.log(
        `  ${LABELS[target]}: ${clientCount} logins in ${loginSeconds.toFixed(1)} s; RSS ${mib(rssBefore)} -> ${mib(rssAfter)}; ` +
          `MariaDB Threads_connected ${measurement.threadsBefore} -> ${measurement.threadsAfter}`,
      );
    } catch (error) {
      (error as Error).message += `\n--- ${LABELS[target]} log (last lines) ---\n${tail(proxy.logPath)}`;
      throw error;
    } finally {
      closeClients(sockets);
      await harness.stopChild(proxy.child);
    }
  }
  printReport(results);
}

function printReport(results: Measurement[]): void {
  const header = ['target', 'clients', 'RSS before', 'RSS after', 'RSS per idle client', 'still open', 'answer COM_PING', 'MariaDB Threads_connected', 'MariaDB RSS growth'];
  const lines = results.map((result) => [
    LABELS[result.target],
    String(clientCount),
    mib(result.rssBefore),
    mib(result.rssAfter),
    `${((result.rssAfter - result.rssBefore) / clientCount / 1024).toFixed(1)} KiB`,
    String(result.stillOpen),
    String(result.pinged),
    `${result.threadsBefore} -> ${result.threadsAfter}`,
    mib(result.mariadbRssAfter - result.mariadbRssBefore),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
  console.log('(Threads_connected counts the connection that reads it; RSS is the whole process, every thread.)');
  if (results.some((result) => result.target === 'cathode')) {
    console.log("(A Cathode login that names a schema borrows a pooled connection to prove the schema exists, so a login burst can grow the pool up to its max; idle sessions hold none.)");
  }
}

const harness = new BenchHarness('idle-clients.ts');
await harness.run(() => main(harness));
