import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { connectDirect, using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Connection ids, SHOW PROCESSLIST, information_schema.PROCESSLIST and CONNECTION_ID() through
// Cathode: they are Cathode's sessions and ids (the ones KILL takes), never the backend's threads.

type Row = mysql.RowDataPacket;
let cathode: TestCathode;

const usersOf = (schema: string) => [
  { name: 'cathode', password: 'cathode', schemas: [schema] },
  { name: 'other', password: 'other', schemas: [schema] },
  { name: 'reader', password: 'reader', schemas: [schema] },
  { name: 'boss', password: 'boss', schemas: ['*'], admin: true },
];

before(async () => {
  cathode = await startTestCathode(({ schema }) => ({ instanceId: 3, users: usersOf(schema) }));
  await cathode.direct(`CREATE TABLE ${cathode.schema}.owners (id BIGINT UNSIGNED, note VARCHAR(20))`);
});
after(() => cathode.close());

const connectAs = (user: string) => cathode.connect({ user, password: user });

async function closeAll(connections: mysql.Connection[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.end().catch(() => connection.destroy())));
}

/** Ids of the sessions SHOW PROCESSLIST lists to `connection`. */
async function listedIds(connection: mysql.Connection): Promise<number[]> {
  const [rows] = await connection.query<Row[]>('SHOW PROCESSLIST');
  return rows.map((row) => Number(row.Id));
}

/** Polls (by querying, not sleeping) until `connection`'s SHOW FULL PROCESSLIST shows a statement containing `marker`. */
async function runningRow(connection: mysql.Connection, marker: string): Promise<Row> {
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const [rows] = await connection.query<Row[]>('SHOW FULL PROCESSLIST');
    const found = rows.find((row) => typeof row.Info === 'string' && row.Info.includes(marker) && !row.Info.includes('PROCESSLIST'));
    if (found && found.State === 'Executing') return found;
  }
  throw new Error(`no session ever ran ${marker}`);
}

test('connection ids carry the instance id in their high 8 bits', async () => {
  await using(cathode.connect(), async (connection) => {
    assert.equal(connection.threadId >>> 24, 3);
    const [[row]] = await connection.query<Row[]>('SELECT CONNECTION_ID() AS id');
    assert.equal(Number(row.id), connection.threadId);
  });
});

test("SHOW PROCESSLIST's columns are MariaDB 10.11's, names, types and flags", async () => {
  for (const sql of ['SHOW PROCESSLIST', 'SHOW FULL PROCESSLIST']) {
    const describe = (fields: mysql.FieldPacket[]) => fields.map((field) => [field.name, field.columnType, field.flags, field.decimals]);
    const [, direct] = await using(connectDirect(cathode), (connection) => connection.query<Row[]>(sql));
    const [, through] = await using(cathode.connect(), (connection) => connection.query<Row[]>(sql));
    assert.deepEqual(describe(through), describe(direct), sql);
  }
});

test('a user sees only their own sessions, on every reactor; an admin sees everyone', async () => {
  const connections: mysql.Connection[] = [];
  try {
    for (let i = 0; i < 4; i++) connections.push(await connectAs('cathode'));
    const strangers = [await connectAs('other'), await connectAs('other')];
    connections.push(...strangers);
    const mine = connections.slice(0, 4).map((connection) => connection.threadId).sort();
    // Four sessions on two reactors: the list crosses threads.
    assert.equal(new Set(mine.map((id) => cathode.handle.reactorOf(id))).size, 2);
    // Sessions of earlier tests may still be closing: what matters is whose sessions are listed.
    const [listed] = await connections[0].query<Row[]>('SHOW PROCESSLIST');
    assert.deepEqual([...new Set(listed.map((row) => row.User))], ['cathode']);
    const listedMine = listed.map((row) => Number(row.Id));
    for (const id of mine) assert.ok(listedMine.includes(id), `lists ${id}`);
    for (const stranger of strangers) assert.ok(!listedMine.includes(stranger.threadId), `hides ${stranger.threadId}`);
    const boss = await connectAs('boss');
    connections.push(boss);
    const everyone = await listedIds(boss);
    for (const connection of connections) assert.ok(everyone.includes(connection.threadId), `admin sees ${connection.threadId}`);
    assert.deepEqual(everyone, [...everyone].sort((a, b) => a - b), 'in id order');
  } finally {
    await closeAll(connections);
  }
});

test('SHOW PROCESSLIST shows user, host, db, command, time and state, and the running statement cut to 100 characters unless FULL', async () => {
  const marker = `m${randomBytes(6).toString('hex')}`;
  const connections = [await cathode.connect(), await cathode.connect()];
  try {
    const [a, b] = connections;
    const padding = 'x'.repeat(150);
    const running = a.query(`SELECT SLEEP(30) AS slept, '${marker}' AS marker, '${padding}' AS padding`).catch((error: Error) => error);
    const full = await runningRow(b, marker);
    assert.equal(Number(full.Id), a.threadId);
    assert.equal(full.User, 'cathode');
    assert.match(full.Host, /^127\.0\.0\.1:\d+$/);
    assert.equal(full.db, cathode.schema);
    assert.equal(full.Command, 'Query');
    assert.equal(full.Info, `SELECT SLEEP(30) AS slept, '${marker}' AS marker, '${padding}' AS padding`);
    const [short] = await b.query<Row[]>('SHOW PROCESSLIST');
    const row = short.find((candidate) => Number(candidate.Id) === a.threadId)!;
    assert.equal(row.Info, full.Info.slice(0, 100));
    const own = short.find((candidate) => Number(candidate.Id) === b.threadId)!;
    assert.deepEqual([own.Command, own.State, own.Info], ['Query', 'starting', 'SHOW PROCESSLIST']);
    // KILL takes the id SHOW PROCESSLIST shows.
    await b.query(`KILL QUERY ${row.Id}`);
    assert.deepEqual(await wireError(running.then((outcome) => { if (outcome instanceof Error) throw outcome; })), { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' });
    const [after] = await b.query<Row[]>('SHOW PROCESSLIST');
    const idle = after.find((candidate) => Number(candidate.Id) === a.threadId)!;
    assert.deepEqual([idle.Command, idle.State, idle.Info], ['Sleep', '', null]);
  } finally {
    await closeAll(connections);
  }
});

test('a prepared statement being executed shows as Execute with its SQL', async () => {
  const marker = `p${randomBytes(6).toString('hex')}`;
  const connections = [await cathode.connect(), await cathode.connect()];
  try {
    const [a, b] = connections;
    const running = a.execute(`SELECT SLEEP(?) AS slept, '${marker}' AS marker`, [30]).catch((error: Error) => error);
    const row = await runningRow(b, marker);
    assert.deepEqual([Number(row.Id), row.Command, row.Info], [a.threadId, 'Execute', `SELECT SLEEP(?) AS slept, '${marker}' AS marker`]);
    await b.query(`KILL QUERY ${a.threadId}`);
    await running;
  } finally {
    await closeAll(connections);
  }
});

test('information_schema.PROCESSLIST read through Cathode lists its sessions, filtered and ordered by the backend', async () => {
  // A user of this test alone: no session of another test is still closing.
  const connections = [await connectAs('reader'), await connectAs('reader'), await connectAs('other')];
  try {
    const [a, b] = connections;
    const [own] = await a.query<Row[]>('SELECT ID, USER, DB, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()');
    assert.deepEqual(own.map((row) => ({ ...row })), [
      { ID: a.threadId, USER: 'reader', DB: cathode.schema, COMMAND: 'Query', INFO: 'SELECT ID, USER, DB, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()' },
    ]);
    const [ids] = await a.query<Row[]>("SELECT p.ID FROM INFORMATION_SCHEMA.processlist AS p WHERE p.USER = 'reader' ORDER BY p.ID DESC");
    assert.deepEqual(ids.map((row) => Number(row.ID)), [a.threadId, b.threadId].sort((x, y) => y - x));
    // Only the user's own sessions, whatever the WHERE asks for.
    const [[count]] = await a.query<Row[]>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'other'");
    assert.equal(Number(count.n), 0);
    const [sleeping] = await a.query<Row[]>(`SELECT COMMAND, STATE, INFO, TIME >= 0 AS t FROM information_schema.PROCESSLIST WHERE ID = ${b.threadId}`);
    assert.deepEqual(sleeping.map((row) => ({ ...row })), [{ COMMAND: 'Sleep', STATE: '', INFO: null, t: 1 }]);
    // Every column of MariaDB's table, by name.
    const [[all], fields] = await a.query<Row[]>('SELECT * FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()');
    const [, directFields] = await using(connectDirect(cathode), (direct) => direct.query<Row[]>('SELECT * FROM information_schema.PROCESSLIST LIMIT 0'));
    assert.deepEqual(fields.map((field) => field.name), directFields.map((field) => field.name));
    assert.equal(Number(all.ID), a.threadId);
    // A statement text with quotes, backslashes and non-ASCII text comes back as it was sent.
    const odd = "SELECT INFO, INFO_BINARY FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID() AND 'it''s \\\\ é ✓' <> ''";
    const [[echoed]] = await a.query<Row[]>(odd);
    assert.equal(echoed.INFO, odd);
    assert.equal(Buffer.from(echoed.INFO_BINARY).toString('utf8'), odd);
  } finally {
    await closeAll(connections);
  }
});

test('an admin reads every session from information_schema.PROCESSLIST', async () => {
  const connections = [await connectAs('other'), await connectAs('boss')];
  try {
    const [other, boss] = connections;
    const [rows] = await boss.query<Row[]>(`SELECT USER FROM information_schema.PROCESSLIST WHERE ID IN (${other.threadId}, ${boss.threadId}) ORDER BY ID`);
    assert.deepEqual(rows.map((row) => row.USER), other.threadId < boss.threadId ? ['other', 'boss'] : ['boss', 'other']);
  } finally {
    await closeAll(connections);
  }
});

test('CONNECTION_ID() inside expressions, WHERE clauses and INSERT values is the Cathode id', async () => {
  await using(cathode.connect(), async (connection) => {
    const id = connection.threadId;
    const [[sum]] = await connection.query<Row[]>('SELECT CONNECTION_ID() + 0 AS id, CONCAT(CONNECTION_ID()) AS text');
    assert.deepEqual([Number(sum.id), sum.text], [id, String(id)]);
    await connection.query("INSERT INTO owners VALUES (CONNECTION_ID(), 'text')");
    const [found] = await connection.query<Row[]>('SELECT note FROM owners WHERE id = CONNECTION_ID()');
    assert.deepEqual(found.map((row) => row.note), ['text']);
    const [[prepared]] = await connection.execute<Row[]>('SELECT CONNECTION_ID() + ? AS id', [0]);
    assert.equal(Number(prepared.id), id);
  });
  // The same prepared text in two sessions: each gets its own id, not the statement the other prepared.
  const connections = [await cathode.connect(), await cathode.connect()];
  try {
    for (const connection of connections) {
      const [[row]] = await connection.execute<Row[]>('SELECT CONNECTION_ID() + 1 AS next');
      assert.equal(Number(row.next), connection.threadId + 1);
    }
  } finally {
    await closeAll(connections);
  }
});

test('prepared SHOW PROCESSLIST and information_schema.PROCESSLIST are refused rather than showing backend threads', async () => {
  await using(cathode.connect(), async (connection) => {
    for (const sql of ['SHOW PROCESSLIST', 'SELECT ID FROM information_schema.PROCESSLIST']) {
      assert.deepEqual((await wireError(connection.execute(sql))).errno, 1235, sql);
    }
  });
});

test('the mariadb command-line client shows its own session in SHOW PROCESSLIST', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    const args = ['--no-defaults', '-h127.0.0.1', `-P${cathode.port}`, '-ucathode', '-pcathode', '--batch', '--skip-ssl', '-e', 'SELECT CONNECTION_ID(); SHOW PROCESSLIST', cathode.schema];
    execFile('mariadb', args, { timeout: 30_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}: ${err}`)) : resolve(out)));
  });
  const lines = stdout.trim().split('\n').map((line) => line.split('\t'));
  const id = lines[1][0];
  assert.equal(Number(id) >>> 24, 3);
  assert.deepEqual(lines[2], ['Id', 'User', 'Host', 'db', 'Command', 'Time', 'State', 'Info', 'Progress']);
  const own = lines.slice(3).find((line) => line[0] === id);
  assert.ok(own, `its own session ${id} is listed`);
  assert.deepEqual([own[1], own[3], own[4], own[7], own[8]], ['cathode', cathode.schema, 'Query', 'SHOW PROCESSLIST', '0.000']);
});

test('two instances side by side: ids never collide, and KILL QUERY of one instance id sent to the other answers 1094', async () => {
  const other = await startTestCathode(({ schema }) => ({ instanceId: 4, users: usersOf(schema) }));
  const connections: mysql.Connection[] = [];
  try {
    for (let i = 0; i < 3; i++) connections.push(await cathode.connect(), await other.connect());
    const ids = connections.map((connection) => connection.threadId);
    assert.equal(new Set(ids).size, ids.length);
    const [onA, onB] = connections;
    const marker = `k${randomBytes(6).toString('hex')}`;
    const running = onA.query(`SELECT SLEEP(2) AS slept, '${marker}' AS marker`);
    await runningRow(connections[2], marker);
    assert.deepEqual(await wireError(onB.query(`KILL QUERY ${onA.threadId}`)), { errno: 1094, sqlState: 'HY000', message: `Unknown thread id: ${onA.threadId}` });
    const [[slept]] = (await running) as unknown as [Row[]];
    assert.equal(Number(slept.slept), 0, "A's statement ran to its end, uninterrupted");
  } finally {
    await closeAll(connections);
    await other.close();
  }
});
