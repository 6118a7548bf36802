import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { trackUntilExit } from './exit-cleanup.ts';
import { claimPortBriefly, freePort } from './free-port.ts';
import { waitForHandshake } from './mariadb-handshake.ts';
import { findMariaDbd } from './mariadb-install.ts';
import { ensureDataDirTemplate, INNODB_LOG_FILE_SIZE } from './mariadb-template.ts';
import { findExecutable, isProcessAlive, isRoot, processArgs, run, terminate } from './processes.ts';

export interface MariaDbInstance {
  host: '127.0.0.1';
  port: number;
  dataDir: string;
  socketPath: string;
  pid: number;
  /** A TCP superuser: 'root' with an empty password, reachable from 127.0.0.1. */
  adminUser: string;
  adminPassword: string;
  errorLogPath: string;
  /** SIGTERM, wait for exit (SIGKILL after 20s), then remove dataDir unless keepData. */
  stop(): Promise<void>;
}

export interface StartMariaDbOptions {
  /** 0/undefined = pick a free port. */
  port?: number;
  /** Default: a fresh mkdtemp under os.tmpdir(). */
  dataDir?: string;
  /** Reuse an existing initialised dataDir and keep it on stop. */
  keepData?: boolean;
  /** Survive this process (for scripts/quickstart); default false: killed when this process exits. */
  detached?: boolean;
  /** Extra mariadbd options. */
  extraArgs?: string[];
}

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;
const PORT_ATTEMPTS = 3;
const PID_FILE = 'mariadbd.pid';
const ERROR_LOG = 'error.log';
// sun_path holds 108 bytes including the NUL; keep a margin.
const MAX_SOCKET_PATH_BYTES = 100;
const ER_ACCESS_DENIED_ERROR = 1045;
const ER_HOST_NOT_PRIVILEGED = 1130;

class PortInUseError extends Error {}

/** Where the unix socket of the server for `dataDir` lives: inside it, or in tmpdir if that path is too long. */
export function socketPathFor(dataDir: string): string {
  const inside = join(resolve(dataDir), 'mysqld.sock');
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH_BYTES) return inside;
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(tmpdir(), `cathode-mariadb-${hash}.sock`);
}

/** The mariadbd serving `dataDir` according to its pid file, if it is still running. */
export function runningMariaDbAt(dataDir: string): { pid: number; port: number | undefined } | undefined {
  const absolute = resolve(dataDir);
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(absolute, PID_FILE), 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  const args = processArgs(pid);
  if (!args) return { pid, port: undefined }; // no /proc to double-check with
  // Guard against a stale pid file whose pid now belongs to something else.
  if (!args.includes(`--datadir=${absolute}`)) return undefined;
  const portArg = args.find((arg) => arg.startsWith('--port='));
  return { pid, port: portArg ? Number(portArg.slice('--port='.length)) : undefined };
}

/** Stops the (typically detached) server running on `dataDir`; true if one was running. Keeps the data. */
export async function stopMariaDbAt(dataDir: string): Promise<boolean> {
  const running = runningMariaDbAt(dataDir);
  if (!running) return false;
  await terminate(running.pid, STOP_GRACE_MS);
  return true;
}

export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbInstance> {
  const mariadbd = findMariaDbd();
  if (!mariadbd) throw new Error('mariadbd not found; call ensureMariaDbInstalled() first');
  const dataDir = await prepareDataDir(mariadbd, options);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port || (await freePort());
      try {
        return await launch(mariadbd, dataDir, port, options);
      } catch (error) {
        // A port picked by freePort() can be grabbed by someone else before mariadbd binds it.
        if (error instanceof PortInUseError && !options.port && attempt < PORT_ATTEMPTS) continue;
        throw error;
      }
    }
  } catch (error) {
    if (!options.keepData) await removeDataDir(dataDir);
    throw error;
  }
}

function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'mysql'));
}

async function prepareDataDir(mariadbd: string, options: StartMariaDbOptions): Promise<string> {
  let dataDir: string;
  if (options.dataDir) {
    dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
    const running = runningMariaDbAt(dataDir);
    if (running) throw new Error(`MariaDB (pid ${running.pid}) is already running on ${dataDir}`);
    if (isInitialised(dataDir)) {
      if (options.keepData) return dataDir;
      throw new Error(`${dataDir} already holds a MariaDB data dir; pass keepData: true to reuse it`);
    }
    if ((await readdir(dataDir)).length > 0) throw new Error(`${dataDir} is neither empty nor a MariaDB data dir`);
  } else {
    // Short prefix: the unix socket lives inside and its path length is limited.
    dataDir = await mkdtemp(join(tmpdir(), 'cathode-mariadb-'));
  }
  try {
    const template = await ensureDataDirTemplate(mariadbd);
    // Sparse: the redo log and ibdata1 are mostly zeros; this saves ~75 MB of disk per instance.
    await run('cp', ['-a', '--sparse=always', `${template}/.`, dataDir]);
  } catch (error) {
    await removeDataDir(dataDir); // it was empty before, and a half copy would look initialised
    throw error;
  }
  return dataDir;
}

async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  const socketPath = socketPathFor(dataDir);
  if (!socketPath.startsWith(`${dataDir}/`)) await rm(socketPath, { force: true });
}

/** For process.on('exit'), where nothing async runs any more. Best effort. */
function removeDataDirSync(dataDir: string): void {
  try {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    const socketPath = socketPathFor(dataDir);
    if (!socketPath.startsWith(`${dataDir}/`)) rmSync(socketPath, { force: true });
  } catch {
    // we are exiting anyway
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function serverArgs(dataDir: string, port: number, extraArgs: string[]): string[] {
  return [
    '--no-defaults', // must come first
    `--datadir=${dataDir}`,
    `--port=${port}`,
    `--bind-address=${HOST}`,
    `--socket=${socketPathFor(dataDir)}`,
    `--pid-file=${join(dataDir, PID_FILE)}`,
    `--log-error=${join(dataDir, ERROR_LOG)}`,
    ...(isRoot() ? ['--user=root'] : []), // mariadbd refuses to run as root without it
    '--skip-name-resolve',
    '--max-allowed-packet=256M',
    '--innodb-buffer-pool-size=128M',
    `--innodb-log-file-size=${INNODB_LOG_FILE_SIZE}`,
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    '--max-connections=1000',
    '--max-prepared-stmt-count=100000',
    '--skip-log-bin',
    ...extraArgs,
  ];
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last lines written to the error log since `fromOffset` (so a reused data dir's old log is skipped). */
function errorLogTail(path: string, fromOffset: number, maxLines = 30): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const length = Math.max(0, fileSize(path) - fromOffset);
    const buffer = Buffer.alloc(Math.min(length, 64 * 1024));
    readSync(fd, buffer, 0, buffer.length, fromOffset + length - buffer.length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-maxLines).join('\n');
  } catch {
    return '(no error log)';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function launch(
  mariadbd: string,
  dataDir: string,
  port: number,
  options: StartMariaDbOptions,
): Promise<MariaDbInstance> {
  const detached = options.detached ?? false;
  const keepData = options.keepData ?? false;
  const socketPath = socketPathFor(dataDir);
  const errorLogPath = join(dataDir, ERROR_LOG);
  const logOffset = fileSize(errorLogPath);

  try {
    await claimPortBriefly(port);
  } catch (error) {
    throw new PortInUseError(`port ${port} on ${HOST} is already in use`, { cause: error });
  }

  const args = serverArgs(dataDir, port, options.extraArgs ?? []);
  // setpriv's parent-death signal also kills an attached server if we die by SIGKILL,
  // where no exit handler runs. It execs mariadbd, so the pid stays the same.
  const setpriv = detached ? undefined : findExecutable('setpriv');
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', mariadbd, ...args], { stdio: 'ignore' })
    : spawn(mariadbd, args, { stdio: 'ignore', detached });
  child.unref(); // never keep the event loop alive just for the server

  let exitReason: string | undefined;
  child.once('exit', (code, signal) => (exitReason = signal ? `signal ${signal}` : `code ${code}`));
  child.once('error', (error) => (exitReason = error.message));
  const pid = child.pid ?? -1;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (pid > 0) await terminate(pid, STOP_GRACE_MS);
      untrack();
      if (!keepData) await removeDataDir(dataDir);
    })());
  const untrack = detached
    ? () => {}
    : trackUntilExit({
        killNow: () => {
          if (pid > 0) killQuietly(pid);
          if (!keepData) removeDataDirSync(dataDir);
        },
        stop,
      });

  try {
    await waitForHandshake({
      host: HOST,
      port,
      timeoutMs: STARTUP_TIMEOUT_MS,
      failure: () =>
        exitReason === undefined
          ? undefined
          : new Error(
              `mariadbd exited (${exitReason}) before accepting connections; ${errorLogPath}:\n` +
                errorLogTail(errorLogPath, logOffset),
            ),
    });
    await ensureTcpSuperuser(port, dataDir, socketPath);
  } catch (error) {
    if (pid > 0) await terminate(pid, 5_000);
    untrack();
    if (/Address already in use|Bind on TCP\/IP port/.test(errorLogTail(errorLogPath, logOffset))) {
      throw new PortInUseError(`port ${port} was taken before mariadbd could bind it`, { cause: error });
    }
    throw error;
  }

  return { host: HOST, port, dataDir, socketPath, pid, adminUser: 'root', adminPassword: '', errorLogPath, stop };
}

function sameDir(a: string, b: string): boolean {
  const canonical = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return canonical(a) === canonical(b);
}

async function dataDirOverTcp(port: number): Promise<string> {
  const connection = await mysql.createConnection({ host: HOST, port, user: 'root', password: '' });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@datadir AS dataDir');
    return String(rows[0].dataDir);
  } finally {
    await connection.end();
  }
}

/**
 * Makes sure root with an empty password works over TCP (the template has root@127.0.0.1,
 * but a reused data dir may not) and that the port is really served by our mariadbd.
 */
async function ensureTcpSuperuser(port: number, dataDir: string, socketPath: string): Promise<void> {
  let served: string;
  try {
    served = await dataDirOverTcp(port);
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (errno !== ER_ACCESS_DENIED_ERROR && errno !== ER_HOST_NOT_PRIVILEGED) throw error;
    // root@localhost (socket) has no password after mariadb-install-db's "normal" root auth.
    const viaSocket = await mysql.createConnection({ socketPath, user: 'root', multipleStatements: true });
    try {
      await viaSocket.query(
        ["'root'@'127.0.0.1'", "'root'@'%'"]
          .map((user) => `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO ${user} WITH GRANT OPTION;`)
          .join(' '),
      );
    } finally {
      await viaSocket.end();
    }
    served = await dataDirOverTcp(port);
  }
  if (!sameDir(served, dataDir)) {
    throw new Error(`port ${port} is answered by another MariaDB (datadir ${served}), not the one on ${dataDir}`);
  }
}
