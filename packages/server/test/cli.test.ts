import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { testMariaDb } from '@cathode/testkit';

// bin/cathode.mjs as users run it: exit codes and what it says; start-up failures end the
// process with one line on stderr (issue 7, hole 12); a running Cathode survives SIGHUP.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = join(ROOT, 'node_modules/.bin/node');
const BIN = join(ROOT, 'packages/server/bin/cathode.mjs');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cathode-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function run(node: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CATHODE_LOG_LEVEL: undefined };
    execFile(node, [BIN, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const cathode = (args: string[]) => run(NODE, args);

test('--help prints the usage and exits 0', async () => {
  const result = await cathode(['--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Usage: cathode --config <file>/);
  assert.match(result.stdout, /--check-config/);
  assert.equal(result.stderr, '');
});

test('--version prints the package version and exits 0', async () => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'packages/server/package.json'), 'utf8')) as { version: string };
  const result = await cathode(['--version']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `cathode ${manifest.version}\n`);
});

test('an unknown option or a missing --config exits 2 with the usage', async () => {
  const unknown = await cathode(['--no-such-option']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Usage: cathode/);
  const missing = await cathode([]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--config <file> is required/);
});

test('--check-config accepts a valid file and exits 0 without starting anything', async () => {
  const file = join(dir, 'good.yaml');
  // The backend need not exist: checking the config does not connect anywhere.
  await writeFile(file, 'users:\n  - name: app\n    password: secret\n    schemas: ["*"]\nbackends:\n  - name: primary\n    port: 1\n    user: root\n');
  const result = await cathode(['--check-config', '--config', file]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `config ${file} is valid\n`);
});

test('--check-config on a bad file exits 1 and names each bad field by its path', async () => {
  const file = join(dir, 'bad.yaml');
  await writeFile(
    file,
    [
      'listen:',
      '  port: 70000',
      'users:',
      '  - name: app',
      '    password: hunter2-secret',
      '    plugin: bogus_plugin',
      '    schemas: [demo]',
      'backends:',
      '  - name: primary',
      '    user: root',
      '    pool: { min: 5, max: 2 }',
      '',
    ].join('\n'),
  );
  const result = await cathode(['--check-config', '--config', file]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, new RegExp(`invalid config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(result.stderr, /^ {2}- listen\.port: .*70000/m);
  assert.match(result.stderr, /^ {2}- users\.0\.plugin: .*bogus_plugin/m);
  assert.match(result.stderr, /^ {2}- backends\.0\.pool\.min: /m);
  assert.doesNotMatch(result.stderr, /hunter2-secret/, 'a password in the error output');
});

test('--check-config on a file that cannot be read or parsed exits 1 and says why', async () => {
  const missing = await cathode(['--check-config', '--config', join(dir, 'absent.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the config file/);
  const file = join(dir, 'broken.yaml');
  await writeFile(file, 'users: [\n  - name: {\n');
  const broken = await cathode(['--check-config', '--config', file]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /invalid config/);
});

/** The system's own node (/usr/bin/node, or the first on PATH that is not a pinned one from node_modules). */
function findSystemNode(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((entry) => join(entry, 'node'));
  return ['/usr/bin/node', ...onPath].find((candidate) => existsSync(candidate) && !candidate.includes('/node_modules/'));
}

const systemNode = findSystemNode();
const systemMajor = systemNode
  ? await new Promise<number>((resolve) =>
      execFile(systemNode, ['-p', 'process.versions.node'], (error, stdout) => resolve(error ? 0 : Number(stdout.split('.')[0]))),
    )
  : 0;
const skipOldNode = !systemNode || systemMajor === 0 ? 'no system node found' : systemMajor >= 24 ? `the system node is ${systemMajor}, new enough` : false;

test(
  'on a Node older than 24, bin/cathode.mjs exits 1 and names the Node it needs',
  { skip: skipOldNode },
  async () => {
    const result = await run(systemNode as string, ['--help']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cathode needs Node\.js 24 LTS or 26/);
    assert.match(result.stderr, new RegExp(`this is Node v${systemMajor}\\.`));
    assert.equal(result.stdout, '');
  },
);

// --- failing fast ---------------------------------------------------------------------------------

const USERS = [{ name: 'app', password: 'secret', schemas: ['*'] }];

async function writeConfig(name: string, config: Record<string, unknown>): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ users: USERS, log: { level: 'warn' }, ...config }));
  return file;
}

/** Stderr as an operator sees it: exactly one line, naming the cause, and no stack trace. */
function assertOneLine(stderr: string, ...mentions: RegExp[]): void {
  const lines = stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.match(lines[0], /^cathode: /);
  for (const mention of mentions) assert.match(lines[0], mention);
  assert.doesNotMatch(stderr, /^\s+at /m, 'a stack trace on stderr');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A TCP server that accepts and never answers: counts who connected. */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => void }> {
  let connections = 0;
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    connections++;
    sockets.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

test('a port in use ends start-up with one line naming the port, before any backend is contacted', async () => {
  const occupant = await silentServer();
  const backend = await silentServer();
  try {
    const file = await writeConfig('port-in-use.json', {
      listen: { host: '127.0.0.1', port: occupant.port },
      backends: [{ name: 'primary', host: '127.0.0.1', port: backend.port, user: 'root' }],
      timeouts: { connectMs: 1000 },
    });
    const result = await cathode(['--config', file]);
    assert.equal(result.code, 1, result.stderr);
    assertOneLine(result.stderr, new RegExp(`127\\.0\\.0\\.1:${occupant.port}`), /already in use/);
    assert.equal(backend.connections(), 0, 'the backend was contacted although the port was taken');
  } finally {
    occupant.close();
    backend.close();
  }
});

test('an unparsable TLS certificate or RSA key is refused by --check-config and at start, naming the file', async () => {
  const badCert = join(dir, 'truncated-cert.pem');
  await writeFile(badCert, '-----BEGIN CERTIFICATE-----\nMIIBkjCCATmgAwIBAgIU\n');
  const badKey = join(dir, 'not-a-key.pem');
  await writeFile(badKey, 'this is not a key\n');
  for (const [name, section, path, file] of [
    ['bad-tls.json', { tls: { cert: badCert, key: badKey } }, 'tls.cert', badCert],
    ['bad-rsa.json', { rsaKeys: { privateKey: badKey, publicKey: badKey } }, 'rsaKeys.privateKey', badKey],
  ] as const) {
    const config = await writeConfig(name, { backends: [{ name: 'primary', port: 1, user: 'root' }], ...section });
    const checked = await cathode(['--check-config', '--config', config]);
    assert.equal(checked.code, 1, `--check-config called ${name} valid: ${checked.stdout}`);
    assert.match(checked.stderr, new RegExp(`^ {2}- ${escape(path)}: .*${escape(file)}`, 'm'));
    const started = await cathode(['--config', config]);
    assert.equal(started.code, 1);
    assert.match(started.stderr, new RegExp(`${escape(path)}: .*${escape(file)}`));
    assert.doesNotMatch(started.stderr, /^\s+at /m);
  }
});

test('a backend that refuses Cathode\'s credentials ends start-up at once with one line naming the backend', async () => {
  const mariadb = await testMariaDb();
  const file = await writeConfig('bad-backend-password.json', {
    listen: { host: '127.0.0.1', port: 0 },
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: 'certainly-not-the-password' }],
    // Retrying a refused login would take connectMs x 4 = 4 minutes, past this test's limit.
    timeouts: { connectMs: 60_000 },
  });
  const result = await cathode(['--config', file]);
  assert.equal(result.code, 1, result.stderr);
  assertOneLine(result.stderr, /backend primary/, new RegExp(`${escape(mariadb.host)}:${mariadb.port}`), /1045/);
  assert.doesNotMatch(result.stderr, /certainly-not-the-password/);
});

// --- a running Cathode ------------------------------------------------------------------------------

interface RunningCathode {
  port: number;
  stdoutLines: string[];
  waitForLine(pattern: RegExp): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

async function startCli(file: string): Promise<RunningCathode> {
  const child = spawn(NODE, [BIN, '--config', file], { cwd: ROOT, env: { ...process.env, CATHODE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const stdoutLines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdoutLines.push(line);
      for (const waiter of waiters.splice(0)) {
        if (waiter.pattern.test(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
    }
  });
  const waitForLine = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = stdoutLines.find((line) => pattern.test(line));
      if (seen) return resolve(seen);
      waiters.push({ pattern, resolve });
      exit.then(() => reject(new Error(`cathode exited before logging ${pattern}:\n${stdoutLines.join('\n')}`)));
    });
  const listening = JSON.parse(await waitForLine(/cathode is listening/)) as { port: number };
  return { port: listening.port, stdoutLines, waitForLine, exit, kill: (signal) => child.kill(signal) };
}

/** The server version in the handshake a client receives. */
async function handshakeVersion(port: number, host = '127.0.0.1'): Promise<string> {
  const socket = net.connect(port, host);
  try {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    assert.equal(chunk[4], 10, 'protocol version 10');
    return chunk.toString('latin1', 5, chunk.indexOf(0, 5));
  } finally {
    socket.destroy();
  }
}

test('SIGHUP logs that reload is not supported and Cathode keeps serving; an empty serverVersionSuffix shows the backend\'s exact version', async () => {
  const mariadb = await testMariaDb();
  // As MariaDB announces itself in its own handshake (with its "5.5.5-" prefix).
  const version = await handshakeVersion(mariadb.port, mariadb.host);
  const file = await writeConfig('sighup.json', {
    listen: { host: '127.0.0.1', port: 0 },
    reactors: 1,
    serverVersionSuffix: '',
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword }],
  });
  const running = await startCli(file);
  try {
    running.kill('SIGHUP');
    const warning = JSON.parse(await running.waitForLine(/SIGHUP/)) as { level: number; msg: string };
    assert.equal(warning.level, 40, 'logged as a warning');
    assert.match(warning.msg, /not supported yet/);
    assert.equal(await handshakeVersion(running.port), version, 'still serving, with the backend\'s own version');
    running.kill('SIGTERM');
    assert.deepEqual(await running.exit, { code: 0, signal: null });
  } finally {
    running.kill('SIGKILL');
  }
});

test('a custom serverVersionSuffix is appended to the backend\'s version', async () => {
  const mariadb = await testMariaDb();
  // As MariaDB announces itself in its own handshake (with its "5.5.5-" prefix).
  const version = await handshakeVersion(mariadb.port, mariadb.host);
  const file = await writeConfig('suffix.json', {
    listen: { host: '127.0.0.1', port: 0 },
    reactors: 1,
    serverVersionSuffix: '-ProxyLayer7',
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword }],
  });
  const running = await startCli(file);
  try {
    assert.equal(await handshakeVersion(running.port), `${version}-ProxyLayer7`);
    running.kill('SIGTERM');
    assert.deepEqual(await running.exit, { code: 0, signal: null });
  } finally {
    running.kill('SIGKILL');
  }
});
