import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { parseConfig } from '@cathode/config';
import { adminQuery, testMariaDb } from '@cathode/testkit';
import mysql from 'mysql2/promise';
import type { GateMessage } from '../src/executor/executor-gate.ts';
import { type CathodeHandle, startCathode } from '../src/index.ts';
import { createLogger } from '../src/logger.ts';

// Statements longer than executor.offloadBytes are analysed on the reactor's executor, not on its
// event loop: the other sessions of the reactor are served meanwhile. Every executor task waits at
// a gate this file controls, so "meanwhile" is observed, not timed.

const SIXTEEN_MIB = 16 * 1024 * 1024;

interface Gate {
  /** The next task to reach the gate waits there until release(); resolves with its SQL's length. Others pass. */
  hold(): Promise<number>;
  release(): void;
  close(): void;
}

function openGate(name: string): Gate {
  const channel = new BroadcastChannel(name);
  let holding: ((bytes: number) => void) | undefined;
  channel.onmessage = (event) => {
    const message = (event as MessageEvent).data as GateMessage;
    if (message.type !== 'held') return;
    const held = holding;
    holding = undefined;
    if (held) held(message.bytes);
    else channel.postMessage({ type: 'release' } satisfies GateMessage);
  };
  return {
    hold: () => new Promise((resolve) => (holding = resolve)),
    release: () => channel.postMessage({ type: 'release' } satisfies GateMessage),
    close: () => channel.close(),
  };
}

interface Instance {
  handle: CathodeHandle;
  gate: Gate;
  connect(): Promise<mysql.Connection>;
  close(): Promise<void>;
}

const schema = `t_${randomBytes(4).toString('hex')}`;

/** Cathode with ONE reactor (so every session shares its event loop) and a gated executor. */
async function startInstance(executor: Record<string, unknown> = {}): Promise<Instance> {
  const mariadb = await testMariaDb();
  const gateName = `cathode-test-gate-${randomBytes(4).toString('hex')}`;
  const config = parseConfig({
    listen: { host: '127.0.0.1', port: 0 },
    reactors: 1,
    executor,
    users: [{ name: 'cathode', password: 'cathode', schemas: [schema] }],
    backends: [{ name: 'primary', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword }],
    log: { level: 'error' },
  });
  const handle = await startCathode(config, createLogger(config.log.level, 'main'), { executorGate: gateName });
  const gate = openGate(gateName);
  const opened: mysql.Connection[] = [];
  return {
    handle,
    gate,
    async connect() {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: handle.port, user: 'cathode', password: 'cathode', database: schema });
      opened.push(connection);
      return connection;
    },
    async close() {
      for (const connection of opened) connection.destroy();
      gate.close();
      await handle.close();
    },
  };
}

let cathode: Instance;

before(async () => {
  const mariadb = await testMariaDb();
  await adminQuery(mariadb, `CREATE DATABASE ${schema}`);
  await adminQuery(mariadb, `CREATE TABLE ${schema}.big (id INT PRIMARY KEY, v VARCHAR(120) NOT NULL)`);
  await adminQuery(mariadb, `CREATE TABLE ${schema}.points (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
  await adminQuery(mariadb, `INSERT INTO ${schema}.points VALUES (1, 'one')`);
  cathode = await startInstance();
});

after(async () => {
  await cathode?.close();
  await adminQuery(await testMariaDb(), `DROP DATABASE IF EXISTS ${schema}`);
});

/** `INSERT INTO big VALUES (first,'…'),(first+1,'…'),…` of at least `bytes` bytes. */
function multiRowInsert(first: number, bytes: number): { sql: string; rows: number; idSum: number } {
  const filler = 'x'.repeat(100);
  const parts: string[] = [];
  let length = 0;
  let idSum = 0;
  for (let id = first; length < bytes; id++) {
    const row = `(${id},'${filler}')`;
    parts.push(row);
    length += row.length + 1;
    idSum += id;
  }
  return { sql: `INSERT INTO big VALUES ${parts.join(',')}`, rows: parts.length, idSum };
}

/** Fails when `statement` is answered without its analysis ever reaching the executor's gate. */
async function notAnalysedOnTheExecutor(statement: Promise<unknown>): Promise<never> {
  const outcome = await statement.then(
    () => 'answered',
    (error: Error) => `refused (${error.message})`,
  );
  assert.fail(`the statement was ${outcome} without being analysed on the executor`);
}

test('a 16 MiB INSERT is analysed off the reactor: another session of the reactor is answered meanwhile, and every row arrives', { timeout: 120_000 }, async () => {
  const inserter = await cathode.connect();
  const other = await cathode.connect();
  assert.deepEqual(cathode.handle.sessionCounts(), [2], 'both sessions are on the one reactor');
  const big = multiRowInsert(1, SIXTEEN_MIB);

  let answered = 0;
  let onAnswer: (() => void) | undefined;
  let stop = false;
  const pointSelects = (async () => {
    while (!stop) {
      const [rows] = await other.query<mysql.RowDataPacket[]>('SELECT v FROM points WHERE id = 1');
      assert.equal(rows[0].v, 'one');
      answered++;
      onAnswer?.();
    }
  })();

  let answeredDuringAnalysis: number;
  let result: mysql.ResultSetHeader;
  try {
    const held = cathode.gate.hold();
    const inserted = inserter.query<mysql.ResultSetHeader>(big.sql);
    // The big statement reached the session and its analysis is under way (held on the executor).
    const heldBytes = await Promise.race([held, notAnalysedOnTheExecutor(inserted)]);
    assert.equal(heldBytes, Buffer.byteLength(big.sql));
    const atHold = answered;
    // While it is analysed, the other session's point selects keep being answered (analysed on
    // the reactor's event loop, none could be).
    await new Promise<void>((resolve) => (onAnswer = () => answered >= atHold + 5 && resolve()));
    answeredDuringAnalysis = answered - atHold;
    cathode.gate.release();
    [result] = await inserted;
  } finally {
    stop = true;
    await pointSelects;
  }
  assert.ok(answeredDuringAnalysis >= 5, `${answeredDuringAnalysis} point selects answered during the analysis`);
  assert.equal(result.affectedRows, big.rows);
  const [rows] = await other.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n, SUM(id) AS s, MIN(LENGTH(v)) AS shortest FROM big');
  assert.deepEqual({ n: Number(rows[0].n), s: Number(rows[0].s), shortest: Number(rows[0].shortest) }, { n: big.rows, s: big.idSum, shortest: 100 });
});

test('a long statement sent to prepare is analysed on the executor too, and then executes', { timeout: 60_000 }, async () => {
  const connection = await cathode.connect();
  const rows = multiRowInsert(10_000_000, 300 * 1024);
  const held = cathode.gate.hold();
  const preparing = connection.prepare(`${rows.sql},(?, ?)`);
  assert.ok((await Promise.race([held, notAnalysedOnTheExecutor(preparing)])) > 300 * 1024);
  cathode.gate.release();
  const statement = await preparing;
  const [result] = (await statement.execute([9_999_999, 'last'])) as [mysql.ResultSetHeader, unknown];
  statement.close();
  assert.equal(result.affectedRows, rows.rows + 1);
});

test('a long statement analysed on the executor passes the same checks: a schema the user may not use is refused with 1044', { timeout: 60_000 }, async () => {
  const connection = await cathode.connect();
  const padding = 'y'.repeat(300 * 1024);
  await assert.rejects(connection.query(`SELECT COUNT(*) FROM mysql.user WHERE '${padding}' = ''`), (error: { errno: number }) => {
    assert.equal(error.errno, 1044);
    return true;
  });
  // A short one is refused the same way, on the reactor.
  await assert.rejects(connection.query('SELECT COUNT(*) FROM mysql.user'), (error: { errno: number }) => error.errno === 1044);
});

test('analysis that outlasts executor.timeoutMs answers 1317 (70100) naming the timeout; the session goes on', { timeout: 60_000 }, async () => {
  const impatient = await startInstance({ timeoutMs: 2_000 });
  try {
    const connection = await impatient.connect();
    // A first long statement passes the gate, and leaves an executor thread started for the next.
    await connection.query(`SELECT '${'z'.repeat(300 * 1024)}' = '' AS warm`);
    const held = impatient.gate.hold();
    const refused = connection.query(multiRowInsert(20_000_000, 300 * 1024).sql);
    await Promise.race([held, notAnalysedOnTheExecutor(refused)]);
    // Never released: the task hangs until the executor stops its thread.
    await assert.rejects(refused, (error: { errno: number; sqlState: string; message: string }) => {
      assert.equal(error.errno, 1317);
      assert.equal(error.sqlState, '70100');
      assert.match(error.message, /did not finish within 2000 ms/);
      return true;
    });
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM big WHERE id >= 20000000');
    assert.equal(Number(rows[0].n), 0);
  } finally {
    await impatient.close();
  }
});
