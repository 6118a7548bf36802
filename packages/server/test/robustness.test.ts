import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type MariaDbInstance, adminQuery, freePort, testMariaDb } from '@cathode/testkit';
import {
  CapabilityFlags,
  CommandByte,
  ColumnType,
  type HandshakeV10,
  encodeComChangeUser,
  encodeComQuery,
  encodeExecuteParameters,
  encodeStmtExecute,
  encodeTextRow,
  nativePasswordResponse,
} from '@cathode/wire';
import mysql from 'mysql2/promise';
import {
  RAW_CLIENT_FLAGS,
  RawConnection,
  errnoOf,
  handshakeResponse,
  isEof,
  isErr,
  login,
  packetHeader,
  prepare,
  readHandshake,
  readQueryResult,
  readResponse,
} from './support/raw-mysql.ts';

// The real CLI as a child process, fed thousands of malformed inputs over raw sockets while one
// well-behaved session keeps working; then a graceful shutdown. Every phase ends by checking the
// process, the healthy session and the log.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_ALLOWED_PACKET = 1024 * 1024;
const CONCURRENCY = 20;
const SEED = Number(process.env.CATHODE_FUZZ_SEED ?? randomBytes(4).readUInt32LE(0));

/** mulberry32: a small seeded PRNG, so a failing run can be repeated with CATHODE_FUZZ_SEED=<seed>. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Random {
  int(min: number, max: number): number;
  bytes(length: number): Buffer;
  pick<T>(items: readonly T[]): T;
}

/** Each case draws from its own generator, seeded by the run's seed, the phase and the case number. */
function randomFor(name: string, index: number): Random {
  let seed = SEED ^ Math.imul(index + 1, 0x9e3779b1);
  for (const char of name) seed = Math.imul(seed ^ char.charCodeAt(0), 0x01000193);
  const random = prng(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  return {
    int,
    bytes: (length) => Buffer.from(Array.from({ length }, () => int(0, 255))),
    pick: (items) => items[int(0, items.length - 1)],
  };
}

let mariadb: MariaDbInstance;
let schema: string;
let dir: string;
let port: number;
let child: ChildProcess;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let stdout = '';
let stderr = '';
let checkedLines = 0;
let healthy: mysql.Connection;
let healthyChecks = 0;
let sentinels = 0;

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function logLines(): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { level: 100, msg: `not a JSON log line: ${line}` };
      }
    });
}

before(async () => {
  mariadb = await testMariaDb();
  schema = `t_${randomBytes(4).toString('hex')}`;
  await adminQuery(mariadb, `CREATE DATABASE ${schema}`);
  await adminQuery(mariadb, `CREATE TABLE ${schema}.fields (id INT PRIMARY KEY, name VARCHAR(20))`);
  dir = await mkdtemp(join(tmpdir(), 'cathode-robustness-'));
  port = await freePort();
  const configPath = join(dir, 'cathode.yaml');
  await writeFile(
    configPath,
    [
      'listen:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      'reactors: 2',
      `maxAllowedPacket: ${MAX_ALLOWED_PACKET}`,
      'timeouts:',
      // Long enough that no stalled login here is rescued by the auth timer: each must end on its own.
      '  authMs: 600000',
      '  shutdownGraceMs: 20000',
      // The fuzzer's thousands of bad logins from 127.0.0.1 would block the host: the throttle has its own test.
      'security:',
      '  maxConnectErrors: 0',
      'users:',
      '  - name: cathode',
      '    password: cathode',
      `    schemas: [${schema}]`,
      'backends:',
      '  - name: primary',
      `    host: ${mariadb.host}`,
      `    port: ${mariadb.port}`,
      `    user: ${mariadb.adminUser}`,
      `    password: "${mariadb.adminPassword}"`,
      'log:',
      '  level: info',
      '',
    ].join('\n'),
  );
  child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'packages/server/bin/cathode.mjs'), '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, CATHODE_LOG_LEVEL: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (logLines().some((line) => line.msg === 'cathode is listening')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    void exited.then(({ code, signal }) => reject(new Error(`cathode exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}`)));
  });
  await listening;
  healthy = await mysql.createConnection({ host: '127.0.0.1', port, user: 'cathode', password: 'cathode', database: schema });
  healthy.on('error', () => {}); // the shutdown at the end closes it
  await healthy.query("SET @healthy = 'still here'");
});

after(async () => {
  healthy?.destroy();
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
  if (schema) await adminQuery(mariadb, `DROP DATABASE IF EXISTS ${schema}`);
});

/** The process is up, the healthy session still answers (its state intact), and no error was logged since the last check. */
async function assertStillHealthy(): Promise<void> {
  assert.equal(child.exitCode, null, `cathode exited:\n${stderr}`);
  assert.equal(child.signalCode, null);
  const check = ++healthyChecks;
  const [rows] = await healthy.query<mysql.RowDataPacket[]>('SELECT @healthy AS h, ? AS n, DATABASE() AS db', [check]);
  assert.deepEqual(rows.map((row) => ({ ...row })), [{ h: 'still here', n: check, db: schema }]);
  const [executed] = await healthy.execute<mysql.RowDataPacket[]>('SELECT ? * 2 AS doubled', [check]);
  assert.equal(Number(executed[0].doubled), check * 2);
  const lines = logLines();
  const fresh = lines.slice(checkedLines);
  checkedLines = lines.length;
  const bad = fresh.filter((line) => line.level >= 50);
  assert.deepEqual(bad, [], 'error or fatal log lines');
  assert.doesNotMatch(stdout + stderr, /uncaught|unhandled/i);
}

/**
 * Runs `count` cases, `CONCURRENCY` at a time; a case throws to report a violation. All cases run
 * even after one fails, and the failures are reported together.
 */
async function fuzz(count: number, name: string, runCase: (r: Random, index: number) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await runCase(randomFor(name, index), index);
      } catch (error) {
        failures.push(`${name} #${index}: ${(error as Error).stack ?? error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  assert.equal(failures.length, 0, `${failures.length} of ${count} cases failed (CATHODE_FUZZ_SEED=${SEED}):\n${failures.slice(0, 5).join('\n')}`);
}

/** Opens a connection, runs `body` with it, and always closes it. */
async function withRaw<T>(body: (connection: RawConnection) => Promise<T>): Promise<T> {
  const connection = await RawConnection.connect(port);
  try {
    return await body(connection);
  } finally {
    connection.destroy();
  }
}

/** Every packet until the server closes; each must be an ERR packet with one of `errnos`. */
async function expectErrorsThenClose(connection: RawConnection, errnos: readonly number[], what: string): Promise<number[]> {
  const packets = await connection.drainUntilClosed();
  const seen = packets.map((packet) => (isErr(packet) ? errnoOf(packet) : `non-ERR 0x${packet.payload[0]?.toString(16)}`));
  for (const errno of seen) assert.ok(typeof errno === 'number' && errnos.includes(errno), `${what}: got ${seen.join(', ')}; expected only ${errnos.join('/')}`);
  assert.equal(connection.framingError, undefined, `${what}: unframeable bytes from Cathode`);
  return seen as number[];
}

/** The response to a valid login: a handshake response for cathode/cathode. */
function validResponse(handshake: HandshakeV10, database: string | undefined = schema): Buffer {
  return handshakeResponse(handshake, { user: 'cathode', password: 'cathode', database });
}

async function loginRaw(): Promise<RawConnection> {
  return (await login(port, { user: 'cathode', password: 'cathode', database: schema })).connection;
}

/** Sends a marker query and checks that its answer (and nothing else) is what comes back next. */
async function expectSentinelNext(connection: RawConnection, what: string): Promise<void> {
  const sentinel = `sentinel-${++sentinels}`;
  connection.send(encodeComQuery(`SELECT '${sentinel}'`), 0);
  const result = await readQueryResult(connection);
  assert.deepEqual(result, { kind: 'rows', rows: [[sentinel]] }, `${what}: SELECT after it`);
}

/**
 * Like expectSentinelNext, but the server may have closed the connection instead (after an error
 * it already sent); false then.
 */
async function sentinelOrClosed(connection: RawConnection, what: string): Promise<boolean> {
  const sentinel = `sentinel-${++sentinels}`;
  connection.send(encodeComQuery(`SELECT '${sentinel}'`), 0);
  const result = await readQueryResult(connection);
  if (result.kind === 'closed') return false;
  assert.deepEqual(result, { kind: 'rows', rows: [[sentinel]] }, `${what}: SELECT after it`);
  return true;
}

test(`pre-auth: random bytes, random packets and truncated or absurd handshake responses are refused without harm (seed ${SEED})`, { timeout: 300_000 }, async () => {
  // Raw random bytes after the server's greeting, then our side closes.
  await fuzz(300, 'random bytes', (r, i) =>
    withRaw(async (connection) => {
      // Half of them written before the greeting is even read.
      if (i % 2 === 0) await readHandshake(connection);
      connection.write(r.bytes(r.int(1, 300)));
      if (i % 2 === 1) await readHandshake(connection);
      connection.end();
      await expectErrorsThenClose(connection, [1043, 1045, 1153], 'random bytes');
    }),
  );
  // A well-framed packet of random content: the server must refuse it and close by itself.
  await fuzz(300, 'random packet', (r) =>
    withRaw(async (connection) => {
      await readHandshake(connection);
      connection.send(r.bytes(r.int(0, 400)), 1);
      const errors = await expectErrorsThenClose(connection, [1043, 1045], 'random packet');
      assert.equal(errors.length, 1, 'random packet: exactly one ERR before the close');
    }),
  );
  // A valid response cut short, in a packet of its (shorter) length: decoding must fail cleanly.
  await fuzz(250, 'truncated response', (r) =>
    withRaw(async (connection) => {
      const handshake = await readHandshake(connection);
      const full = validResponse(handshake);
      // Everything before the database name is required; cut anywhere in it.
      const required = full.length - schema.length - 1 - 'mysql_native_password'.length - 1;
      connection.send(full.subarray(0, r.int(0, required - 1)), 1);
      assert.deepEqual(await expectErrorsThenClose(connection, [1043], 'truncated response'), [1043]);
    }),
  );
  // The packet header promises the whole response; the stream ends before it is all there.
  await fuzz(150, 'truncated stream', (r) =>
    withRaw(async (connection) => {
      const handshake = await readHandshake(connection);
      const full = validResponse(handshake);
      connection.write(Buffer.concat([packetHeader(full.length, 1), full.subarray(0, r.int(0, full.length - 1))]));
      connection.end();
      assert.deepEqual(await connection.drainUntilClosed(), [], 'truncated stream: nothing to say to a client that left');
    }),
  );
  // Lengths inside the response that point far outside the packet, and other impossible fields.
  const absurd: Array<{ name: string; errno: number; build: (handshake: HandshakeV10, r: Random) => Buffer }> = [
    { name: 'auth length 2^64-1', errno: 1043, build: () => fixedPart(RAW_CLIENT_FLAGS, Buffer.of(0xfe, ...Array(8).fill(0xff))) },
    { name: 'auth length 65535', errno: 1043, build: () => fixedPart(RAW_CLIENT_FLAGS, Buffer.of(0xfc, 0xff, 0xff, 1, 2, 3)) },
    { name: 'auth length 16M', errno: 1043, build: () => fixedPart(RAW_CLIENT_FLAGS, Buffer.of(0xfd, 0xff, 0xff, 0xff, 1, 2, 3)) },
    { name: 'auth length prefix 0xff', errno: 1043, build: () => fixedPart(RAW_CLIENT_FLAGS, Buffer.of(0xff, 1, 2)) },
    {
      name: 'one-byte auth length 255',
      errno: 1043,
      build: () => fixedPart(RAW_CLIENT_FLAGS & ~CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, Buffer.of(0xff, 1, 2, 3)),
    },
    { name: 'user name without NUL', errno: 1043, build: (_, r) => fixedPart(RAW_CLIENT_FLAGS, Buffer.alloc(0), Buffer.alloc(r.int(1, 3000), 0x61)) },
    {
      name: 'attributes length 2^64-1',
      errno: 1043,
      build: (handshake) =>
        Buffer.concat([withFlags(validResponse(handshake, undefined), CapabilityFlags.CLIENT_CONNECT_ATTRS), Buffer.of(0xfe, ...Array(8).fill(0xff))]),
    },
    {
      name: 'attribute key length beyond the packet',
      errno: 1043,
      build: (handshake) =>
        Buffer.concat([withFlags(validResponse(handshake, undefined), CapabilityFlags.CLIENT_CONNECT_ATTRS), Buffer.of(4, 0xfc, 0xff, 0x7f, 0x61)]),
    },
    { name: 'no protocol 4.1', errno: 1043, build: (handshake) => withFlags(validResponse(handshake), 0, CapabilityFlags.CLIENT_PROTOCOL_41) },
    { name: 'SSL request without TLS configured', errno: 1043, build: () => fixedPart(RAW_CLIENT_FLAGS | CapabilityFlags.CLIENT_SSL).subarray(0, 32) },
    { name: 'empty payload', errno: 1043, build: () => Buffer.alloc(0) },
    {
      name: '64 KB user name',
      errno: 1045,
      build: (handshake) => handshakeResponse(handshake, { user: 'u'.repeat(65_536), password: 'cathode', database: schema }),
    },
  ];
  await fuzz(240, 'absurd field', (r, i) =>
    withRaw(async (connection) => {
      const handshake = await readHandshake(connection);
      const variant = absurd[i % absurd.length];
      connection.send(variant.build(handshake, r), 1);
      assert.deepEqual(await expectErrorsThenClose(connection, [variant.errno], variant.name), [variant.errno], variant.name);
    }),
  );
  // Headers claiming huge packets: beyond maxAllowedPacket is refused at once (1153), within it waits for the rest.
  await fuzz(150, 'huge claim', (r, i) =>
    withRaw(async (connection) => {
      await readHandshake(connection);
      switch (i % 3) {
        case 0: // 16 MiB - 1, some bytes, then close without waiting
          connection.write(Buffer.concat([packetHeader(0xffffff, 1), r.bytes(r.int(0, 2000))]));
          connection.end();
          await expectErrorsThenClose(connection, [1153], '16 MiB claim then close');
          break;
        case 1: // beyond the limit and wait: the server refuses by itself
          connection.write(packetHeader(r.int(MAX_ALLOWED_PACKET + 1, 0xffffff), 1));
          assert.deepEqual(await expectErrorsThenClose(connection, [1153], 'over-limit claim'), [1153]);
          break;
        default: // within the limit, never completed
          connection.write(Buffer.concat([packetHeader(r.int(1000, MAX_ALLOWED_PACKET), 1), r.bytes(r.int(0, 500))]));
          connection.end();
          assert.deepEqual(await connection.drainUntilClosed(), [], 'unfinished packet within the limit');
      }
    }),
  );
  // A client that connects and says nothing at all, then leaves.
  await fuzz(50, 'silent', () =>
    withRaw(async (connection) => {
      await readHandshake(connection);
      connection.end();
      assert.deepEqual(await connection.drainUntilClosed(), []);
    }),
  );
  await assertStillHealthy();
});

/** Bytes 0..31 of a handshake response with `flags`, then a user name and the auth data as given. */
function fixedPart(flags: number, auth: Buffer = Buffer.alloc(0), user: Buffer = Buffer.from('cathode\0')): Buffer {
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(flags >>> 0, 0);
  fixed.writeUInt32LE(0xffffff, 4);
  fixed[8] = 45;
  return Buffer.concat([fixed, user, auth]);
}

/** A handshake response with capability flags added / removed. */
function withFlags(response: Buffer, add: number, remove = 0): Buffer {
  const copy = Buffer.from(response);
  copy.writeUInt32LE(((copy.readUInt32LE(0) | add) & ~remove) >>> 0, 0);
  return copy;
}

test(`pre-auth: a handshake response with a wrong sequence id is refused with 1156, as MariaDB does (seed ${SEED})`, { timeout: 120_000 }, async () => {
  await fuzz(100, 'wrong sequence id', (r) =>
    withRaw(async (connection) => {
      const handshake = await readHandshake(connection);
      let sequenceId = r.int(0, 255);
      if (sequenceId === 1) sequenceId = 0;
      connection.send(validResponse(handshake), sequenceId);
      const answer = await connection.next();
      assert.ok(answer, `sequence id ${sequenceId}: closed without an answer`);
      const seen = isErr(answer) ? `ERR ${errnoOf(answer)}` : answer.payload[0] === 0 ? 'OK (logged in)' : `0x${answer.payload[0].toString(16)}`;
      assert.equal(seen, 'ERR 1156', `sequence id ${sequenceId}`);
      assert.deepEqual(await expectErrorsThenClose(connection, [], `sequence id ${sequenceId}`), []);
    }),
  );
  await assertStillHealthy();
});

test(`post-auth: truncated COM_STMT_EXECUTE gets one error and the session carries on (seed ${SEED})`, { timeout: 120_000 }, async () => {
  await fuzz(30, 'execute', async (r) => {
    const connection = await loginRaw();
    try {
      const statement = await prepare(connection, 'SELECT ? AS n, ? AS s');
      const parameters = encodeExecuteParameters([
        { type: ColumnType.LONGLONG, value: 7n },
        { type: ColumnType.VAR_STRING, value: Buffer.from('fuzz') },
      ]);
      const full = encodeStmtExecute({ statementId: statement.statementId, flags: 0, iterationCount: 1, ...parameters });
      for (let round = 0; round < 10; round++) {
        const unknownStatement = round === 9;
        const payload = unknownStatement ? Buffer.from(full) : full.subarray(0, r.int(1, full.length - 1));
        if (unknownStatement) payload.writeUInt32LE(statement.statementId + 1000, 1);
        const what = unknownStatement ? 'execute of an unknown statement' : `execute cut to ${payload.length} of ${full.length} bytes`;
        connection.send(payload, 0);
        const response = await readResponse(connection);
        // A cut inside the last value may still be accepted by the server; anything else is an error.
        assert.ok(response.kind === 'error' || response.kind === 'rows', `${what}: ${JSON.stringify(response)}`);
        if (unknownStatement) assert.deepEqual(response.kind === 'error' && response.errno, 1243, what);
        await expectSentinelNext(connection, what);
      }
      // The statement itself is intact.
      connection.send(full, 0);
      const response = await readResponse(connection);
      assert.equal(response.kind, 'rows');
      assert.equal(response.kind === 'rows' && response.rows.length, 1);
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test(`post-auth: truncated COM_STMT_SEND_LONG_DATA and COM_STMT_CLOSE get no response, as they never do (seed ${SEED})`, { timeout: 120_000 }, async () => {
  await fuzz(20, 'no-response commands', async (r) => {
    const connection = await loginRaw();
    try {
      const statement = await prepare(connection, 'SELECT ? AS v');
      for (let round = 0; round < 10; round++) {
        const longData = round % 2 === 0;
        const command = longData ? CommandByte.COM_STMT_SEND_LONG_DATA : CommandByte.COM_STMT_CLOSE;
        const whole = Buffer.alloc(longData ? 7 : 5);
        whole[0] = command;
        whole.writeUInt32LE(statement.statementId, 1);
        const payload = whole.subarray(0, r.int(1, whole.length - 1));
        const what = `${longData ? 'COM_STMT_SEND_LONG_DATA' : 'COM_STMT_CLOSE'} cut to ${payload.length} bytes`;
        connection.send(payload, 0);
        // The next thing on the wire must be the answer to the next command.
        await expectSentinelNext(connection, what);
      }
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test(`post-auth: truncated COM_CHANGE_USER is refused or re-authenticated, and an open session carries on (seed ${SEED})`, { timeout: 120_000 }, async () => {
  await fuzz(40, 'change user', async (r) => {
    let connection = await loginRaw();
    try {
      const full = encodeComChangeUser(
        { username: 'cathode', authResponse: r.bytes(20), database: schema, characterSet: 45, authPluginName: 'mysql_native_password', connectAttributes: undefined },
        RAW_CLIENT_FLAGS,
      );
      for (let round = 0; round < 5; round++) {
        const payload = full.subarray(0, r.int(1, full.length - 1));
        const what = `COM_CHANGE_USER cut to ${payload.length} of ${full.length} bytes`;
        connection.send(payload, 0);
        let packet = await connection.next();
        assert.ok(packet, `${what}: connection closed`);
        if (packet.payload[0] === 0xfe) {
          // It decoded: Cathode switches to mysql_native_password with a fresh scramble. Prove the
          // password (or fail to) and the outcome must follow.
          const nul = packet.payload.indexOf(0, 1);
          const scramble = packet.payload.subarray(nul + 1, packet.payload.length - 1);
          const right = round % 2 === 0;
          connection.send(right ? nativePasswordResponse('cathode', scramble) : r.bytes(20), (packet.sequenceId + 1) & 0xff);
          packet = await connection.next();
          assert.ok(packet, `${what}: connection closed after the auth switch`);
          if (right) assert.equal(packet.payload[0], 0x00, `${what}: right password not accepted`);
          else assert.equal(isErr(packet) && errnoOf(packet), 1045, `${what}: wrong password`);
        } else {
          assert.ok(isErr(packet), `${what}: answered 0x${packet.payload[0].toString(16)}`);
        }
        // A refused change of user may end the session (MariaDB does so at times); open, it must work.
        if (!(await sentinelOrClosed(connection, what))) {
          connection.destroy();
          connection = await loginRaw();
        }
      }
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test(`post-auth: truncated COM_FIELD_LIST and unknown command bytes get one error each (seed ${SEED})`, { timeout: 120_000 }, async () => {
  // Every command byte Cathode does not serve, whether the protocol knows it (COM_SLEEP,
  // COM_BINLOG_DUMP, COM_SHUTDOWN...) or not.
  const served = new Set<number>([
    CommandByte.COM_QUIT, CommandByte.COM_INIT_DB, CommandByte.COM_QUERY, CommandByte.COM_FIELD_LIST, CommandByte.COM_STATISTICS,
    CommandByte.COM_PROCESS_KILL, CommandByte.COM_PING, CommandByte.COM_CHANGE_USER, CommandByte.COM_STMT_PREPARE, CommandByte.COM_STMT_EXECUTE,
    CommandByte.COM_STMT_SEND_LONG_DATA, CommandByte.COM_STMT_CLOSE, CommandByte.COM_STMT_RESET, CommandByte.COM_SET_OPTION, CommandByte.COM_STMT_FETCH,
    CommandByte.COM_RESET_CONNECTION, CommandByte.COM_STMT_BULK_EXECUTE,
  ]);
  const unserved = Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => !served.has(byte));
  await fuzz(30, 'field list / unknown', async (r) => {
    const connection = await loginRaw();
    try {
      for (let round = 0; round < 10; round++) {
        if (round % 3 === 0) {
          // COM_FIELD_LIST without the NUL that ends the table name (or with no name at all).
          const payload = Buffer.concat([Buffer.of(CommandByte.COM_FIELD_LIST), Buffer.from('fields').subarray(0, r.int(0, 5))]);
          connection.send(payload, 0);
          const packet = await connection.next();
          assert.ok(packet && isErr(packet), `COM_FIELD_LIST cut to ${payload.length}: no ERR`);
          await expectSentinelNext(connection, 'truncated COM_FIELD_LIST');
        } else {
          const command = r.pick(unserved);
          connection.send(Buffer.concat([Buffer.of(command), r.bytes(r.int(0, 40))]), 0);
          const packet = await connection.next();
          assert.ok(packet && isErr(packet), `command 0x${command.toString(16)}: no ERR`);
          assert.equal(errnoOf(packet), 1047, `command 0x${command.toString(16)}`);
          await expectSentinelNext(connection, `command 0x${command.toString(16)}`);
        }
      }
      // A whole COM_FIELD_LIST still lists the table's columns.
      connection.send(Buffer.concat([Buffer.of(CommandByte.COM_FIELD_LIST), Buffer.from('fields\0')]), 0);
      const definitions = [];
      for (let packet = await connection.next(); packet && !isEof(packet); packet = await connection.next()) definitions.push(packet);
      assert.equal(definitions.length, 2, 'COM_FIELD_LIST of a two-column table');
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test(`post-auth: random command payloads never break the session (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  let closedAfterError = 0;
  await fuzz(50, 'random payload', async (r) => {
    let connection = await loginRaw();
    try {
      for (let round = 0; round < 10; round++) {
        const payload = r.bytes(r.int(0, 120));
        // Not COM_QUIT (which ends the session on purpose); KILL only ids nobody has.
        if (payload[0] === CommandByte.COM_QUIT) payload[0] = CommandByte.COM_PING;
        if (payload[0] === CommandByte.COM_PROCESS_KILL && payload.length >= 5) payload[4] |= 0x80;
        const what = `payload ${payload.toString('hex')}`;
        connection.send(payload, 0);
        // Whatever the answer to that (possibly none), the marker query's answer must follow it.
        const sentinel = `sentinel-${++sentinels}`;
        connection.send(encodeComQuery(`SELECT '${sentinel}'`), 0);
        const wanted = encodeTextRow([sentinel]);
        let found = false;
        let errorSeen = false;
        for (let packet = await connection.next(); packet; packet = await connection.next()) {
          errorSeen ||= isErr(packet);
          if (packet.payload.equals(wanted)) {
            found = true;
            assert.ok(isEof(await connection.next()), `${what}: no EOF after the marker row`);
            break;
          }
        }
        if (!found) {
          // Ending the session is a possible answer to garbage, but only with an error said first.
          assert.ok(errorSeen, `${what}: the connection closed without an error`);
          closedAfterError++;
          connection.destroy();
          connection = await loginRaw();
        }
      }
    } finally {
      connection.destroy();
    }
  });
  t.diagnostic(`sessions ended (after an ERR) by a random payload: ${closedAfterError} of 500`);
  await assertStillHealthy();
});

test(`post-auth: a packet header beyond maxAllowedPacket gets 1153 and the connection closes (seed ${SEED})`, { timeout: 60_000 }, async () => {
  await fuzz(50, 'oversized', async (r) => {
    const connection = await loginRaw();
    try {
      connection.write(packetHeader(r.int(MAX_ALLOWED_PACKET + 1, 0xffffff), 0));
      assert.deepEqual(await expectErrorsThenClose(connection, [1153], 'oversized'), [1153]);
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test(`post-auth: a command with sequence id 5 gets 1156 and the connection closes (seed ${SEED})`, { timeout: 60_000 }, async () => {
  await fuzz(50, 'sequence id', async (r, i) => {
    const connection = await loginRaw();
    try {
      const sequenceId = i % 2 === 0 ? 5 : r.int(1, 255);
      connection.send(encodeComQuery('SELECT 1'), sequenceId);
      assert.deepEqual(await expectErrorsThenClose(connection, [1156], `sequence id ${sequenceId}`), [1156]);
    } finally {
      connection.destroy();
    }
  });
  await assertStillHealthy();
});

test('a refused login with a 60 KiB user name is logged with the name cut short (the log once got lines as long as the name)', async () => {
  const user = `huge-${'u'.repeat(60 * 1024)}`;
  const logged = new Promise<LogLine>((resolve) => {
    const look = () => {
      const line = logLines().find((candidate) => candidate.msg === 'access denied' && String(candidate.user).startsWith('huge-'));
      if (line) {
        child.stdout?.off('data', look);
        resolve(line);
      }
    };
    child.stdout?.on('data', look);
    look();
  });
  await withRaw(async (connection) => {
    const handshake = await readHandshake(connection);
    connection.send(handshakeResponse(handshake, { user, password: 'cathode', database: schema }), 1);
    assert.deepEqual(await expectErrorsThenClose(connection, [1045], 'huge user name'), [1045]);
  });
  const line = await logged;
  assert.equal(line.user, `${user.slice(0, 128)}… (${user.length} characters)`);
  await assertStillHealthy();
});

test('after the fuzzing: a fresh connection works, and nothing was logged at error level or above', async (t) => {
  const fresh = await mysql.createConnection({ host: '127.0.0.1', port, user: 'cathode', password: 'cathode', database: schema });
  try {
    const [rows] = await fresh.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM fields');
    assert.equal(Number(rows[0].n), 0);
    const [executed] = await fresh.execute<mysql.RowDataPacket[]>('SELECT ? AS v', ['fresh']);
    assert.equal(executed[0].v, 'fresh');
  } finally {
    await fresh.end();
  }
  await assertStillHealthy();
  const lines = logLines();
  assert.deepEqual(lines.filter((line) => line.level >= 50), []);
  assert.ok(lines.some((line) => line.level === 30 && line.msg === 'cathode is listening'), 'info lines are logged');
  const byMessage = new Map<string, number>();
  for (const line of lines) byMessage.set(`${line.level} ${line.msg}`, (byMessage.get(`${line.level} ${line.msg}`) ?? 0) + 1);
  t.diagnostic(`log lines by level and message: ${JSON.stringify(Object.fromEntries(byMessage))}`);
});

test('SIGTERM: cathode closes the idle session, shuts down gracefully and exits 0', { timeout: 60_000 }, async () => {
  const healthyClosed = new Promise<void>((resolve) => {
    healthy.once('end', () => resolve());
    healthy.once('error', () => resolve());
  });
  assert.ok(child.kill('SIGTERM'));
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
  await healthyClosed;
  const lines = logLines();
  assert.ok(lines.some((line) => line.msg === 'stopped'), 'the shutdown ran to its end');
  assert.deepEqual(lines.filter((line) => line.level >= 50), []);
  assert.doesNotMatch(stdout + stderr, /uncaught|unhandled/i);
});
