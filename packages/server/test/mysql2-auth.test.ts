import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { type TestCertificates, makeRsaKeyPair, makeTestCertificates } from '@cathode/testkit';
import mysqlCallbacks from 'mysql2';
import type mysql from 'mysql2/promise';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Logins through Cathode: mysql_native_password and caching_sha2_password (full authentication
// over TLS or RSA, then the fast path), COM_CHANGE_USER, and the errors MariaDB would give.

let cathode: TestCathode;
let rsaCathode: TestCathode;
let certs: TestCertificates;
let rsaDir: string;
let rsaPublicKey: string;

const users = [
  { name: 'cathode', password: 'cathode', schemas: ['*'] },
  { name: 'sha2', password: 'sha2pass', plugin: 'caching_sha2_password', schemas: ['*'] },
  { name: 'outsider', password: 'outsider', schemas: ['elsewhere'] },
  { name: 'limited', password: 'limited', schemas: ['information_schema'] },
];

before(async () => {
  certs = await makeTestCertificates();
  rsaDir = await mkdtemp(join(tmpdir(), 'cathode-rsa-'));
  const keys = makeRsaKeyPair(rsaDir);
  rsaPublicKey = readFileSync(keys.publicKeyPath, 'utf8');
  cathode = await startTestCathode({ users, tls: { cert: certs.certPath, key: certs.keyPath } });
  rsaCathode = await startTestCathode({ users, rsaKeys: { privateKey: keys.privateKeyPath, publicKey: keys.publicKeyPath } });
});
after(async () => {
  await Promise.all([cathode?.close(), rsaCathode?.close()]);
  await Promise.all([rm(certs.dir, { recursive: true, force: true }), rm(rsaDir, { recursive: true, force: true })]);
});

/**
 * mysql2's own caching_sha2_password plugin, wrapped to record what the server said during the
 * exchange: [3] = fast path, [4] = full authentication, then possibly the public key it sent.
 */
function recordingSha2(pluginOptions: Record<string, unknown> = {}) {
  const exchange: Buffer[] = [];
  const factory = (mysqlCallbacks as unknown as { authPlugins: Record<string, (options: unknown) => (context: unknown) => (data: Buffer) => unknown> })
    .authPlugins.caching_sha2_password(pluginOptions);
  const plugin = (context: unknown) => {
    const step = factory(context);
    let first = true;
    return (data: Buffer) => {
      if (!first) exchange.push(Buffer.from(data));
      first = false; // the first call carries the scramble of the auth switch
      return step(data);
    };
  };
  return { exchange, options: { authPlugins: { caching_sha2_password: plugin as never } } satisfies mysql.ConnectionOptions };
}

const FAST_AUTH_SUCCESS = 3;
const PERFORM_FULL_AUTHENTICATION = 4;

async function selectOne(connection: mysql.Connection): Promise<unknown> {
  const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two');
  return row.two;
}

test('mysql_native_password login, and a wrong password is refused with 1045 / 28000', async () => {
  await using(cathode.connect(), async (connection) => assert.equal(await selectOne(connection), 2));
  const error = await wireError(cathode.connect({ password: 'wrong' }));
  assert.deepEqual(error, { errno: 1045, sqlState: '28000', message: "Access denied for user 'cathode'@'127.0.0.1' (using password: YES)" });
  const noPassword = await wireError(cathode.connect({ password: '' }));
  assert.deepEqual(noPassword, { errno: 1045, sqlState: '28000', message: "Access denied for user 'cathode'@'127.0.0.1' (using password: NO)" });
});

test('an unknown user is refused with 1045, exactly like a wrong password', async () => {
  const error = await wireError(cathode.connect({ user: 'nobody', password: 'whatever' }));
  assert.deepEqual(error, { errno: 1045, sqlState: '28000', message: "Access denied for user 'nobody'@'127.0.0.1' (using password: YES)" });
});

test('a schema the user may not use is refused at login with 1044', async () => {
  const error = await wireError(cathode.connect({ user: 'outsider', password: 'outsider', database: cathode.schema }));
  assert.deepEqual(error, { errno: 1044, sqlState: '42000', message: `Access denied for user 'outsider'@'127.0.0.1' to database '${cathode.schema}'` });
  // Without a schema the same user gets in.
  await using(cathode.connect({ user: 'outsider', password: 'outsider', database: undefined }), async (connection) => {
    assert.equal(await selectOne(connection), 2);
    assert.equal((await wireError(connection.query(`USE ${cathode.schema}`))).errno, 1044);
  });
});

test("a schema allowed by '*' that does not exist is refused at login with MariaDB's 1049", async () => {
  const error = await wireError(cathode.connect({ database: 'no_such_schema_anywhere' }));
  assert.deepEqual(error, { errno: 1049, sqlState: '42000', message: "Unknown database 'no_such_schema_anywhere'" });
});

test('TLS: mysql2 with ssl { ca } talks to Cathode over a verified TLS socket', async () => {
  await using(cathode.connect({ ssl: { ca: certs.caCert } }), async (connection) => {
    const stream = (connection as unknown as { connection: { stream: TLSSocket } }).connection.stream;
    assert.equal(stream.encrypted, true);
    assert.equal(stream.authorized, true);
    assert.ok(stream.getCipher()?.name);
    assert.equal(await selectOne(connection), 2);
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT REPEAT(?, 100000) AS big', ['xyz']);
    assert.equal(row.big, 'xyz'.repeat(100_000));
    const [executed] = await connection.execute<mysql.RowDataPacket[]>('SELECT ? AS echoed', ['über 😀']);
    assert.deepEqual(executed, [{ echoed: 'über 😀' }]);
  });
});

test('TLS with compression: both layers at once', async () => {
  await using(cathode.connect({ ssl: { ca: certs.caCert }, compress: true }), async (connection) => {
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT REPEAT(?, 300000) AS big', ['ab']);
    assert.equal(row.big, 'ab'.repeat(300_000));
  });
});

test('caching_sha2_password: full authentication over TLS, then the fast path without TLS', async () => {
  const overTls = recordingSha2();
  await using(cathode.connect({ user: 'sha2', password: 'sha2pass', ssl: { ca: certs.caCert }, ...overTls.options }), async (connection) => {
    assert.equal(await selectOne(connection), 2);
  });
  assert.deepEqual(overTls.exchange.map((data) => [...data]), [[PERFORM_FULL_AUTHENTICATION]], 'first login: full authentication');

  // Whichever reactor thread serves them, later logins find the verified password in the cache.
  for (let i = 0; i < 4; i++) {
    const plain = recordingSha2();
    await using(cathode.connect({ user: 'sha2', password: 'sha2pass', ...plain.options }), async (connection) => {
      assert.equal(await selectOne(connection), 2);
    });
    assert.deepEqual(plain.exchange.map((data) => [...data]), [[FAST_AUTH_SUCCESS]], `login ${i + 2}: fast path`);
  }
});

test('caching_sha2_password: a wrong password is refused with 1045 on the fast path and over TLS', async () => {
  const expected = { errno: 1045, sqlState: '28000', message: "Access denied for user 'sha2'@'127.0.0.1' (using password: YES)" };
  assert.deepEqual(await wireError(cathode.connect({ user: 'sha2', password: 'nope' })), expected);
  assert.deepEqual(await wireError(cathode.connect({ user: 'sha2', password: 'nope', ssl: { ca: certs.caCert } })), expected);
});

test('caching_sha2_password without TLS: the first login uses the RSA public-key exchange with the configured key', async () => {
  const first = recordingSha2();
  await using(rsaCathode.connect({ user: 'sha2', password: 'sha2pass', ...first.options }), async (connection) => {
    assert.equal(await selectOne(connection), 2);
  });
  assert.equal(first.exchange.length, 2);
  assert.deepEqual([...first.exchange[0]], [PERFORM_FULL_AUTHENTICATION]);
  assert.equal(first.exchange[1].toString('utf8'), rsaPublicKey, 'the key Cathode sent is the configured public key');
});

test('caching_sha2_password with the public key known in advance, and a wrong password over RSA', async () => {
  const wrong = recordingSha2({ serverPublicKey: rsaPublicKey });
  const error = await wireError(rsaCathode.connect({ user: 'sha2', password: 'not-it', ...wrong.options }));
  assert.deepEqual(error, { errno: 1045, sqlState: '28000', message: "Access denied for user 'sha2'@'127.0.0.1' (using password: YES)" });
  const known = recordingSha2({ serverPublicKey: rsaPublicKey });
  await using(rsaCathode.connect({ user: 'sha2', password: 'sha2pass', ...known.options }), async (connection) => {
    assert.equal(await selectOne(connection), 2);
  });
  // Either the cache already knows the password (fast path) or the pre-shared key saved a round trip.
  assert.ok(known.exchange.length === 1, `one AuthMoreData, got ${known.exchange.length}`);
});

test('changeUser to the caching_sha2_password user and back to cathode', async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.query('SET @before = 1');
    await connection.changeUser({ user: 'sha2', password: 'sha2pass', database: cathode.schema });
    assert.equal(await selectOne(connection), 2);
    const [[afterChange]] = await connection.query<mysql.RowDataPacket[]>('SELECT @before AS v, DATABASE() AS db');
    assert.deepEqual(afterChange, { v: null, db: cathode.schema }, 'a changed user starts a fresh session');
    await connection.changeUser({ user: 'cathode', password: 'cathode', database: cathode.schema });
    const [[row]] = await connection.execute<mysql.RowDataPacket[]>('SELECT ? AS back', ['home']);
    assert.equal(row.back, 'home');
  });
});

test("changeUser takes the new user's schema rights", async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.changeUser({ user: 'limited', password: 'limited', database: 'information_schema' });
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db');
    assert.equal(row.db, 'information_schema');
    assert.deepEqual(await wireError(connection.query(`USE ${cathode.schema}`)), {
      errno: 1044,
      sqlState: '42000',
      message: `Access denied for user 'limited'@'127.0.0.1' to database '${cathode.schema}'`,
    });
  });
});

test('changeUser refused for the schema (1044): the session carries on as the previous user, freshly reset', async () => {
  await using(cathode.connect(), async (connection) => {
    await connection.query('SET @x = 5');
    // mysql2 asks for the current schema, which outsider may not use.
    assert.deepEqual(await wireError(connection.changeUser({ user: 'outsider', password: 'outsider' })), {
      errno: 1044,
      sqlState: '42000',
      message: `Access denied for user 'outsider'@'127.0.0.1' to database '${cathode.schema}'`,
    });
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT @x AS x, DATABASE() AS db');
    assert.deepEqual(row, { x: null, db: cathode.schema });
    await connection.query(`USE ${cathode.schema}`);
  });
});

test('changeUser with a wrong password fails with 1045', async () => {
  await using(cathode.connect(), async (connection) => {
    const error = await wireError(connection.changeUser({ user: 'sha2', password: 'wrong' }));
    assert.deepEqual(error, { errno: 1045, sqlState: '28000', message: "Access denied for user 'sha2'@'127.0.0.1' (using password: YES)" });
    // Like MariaDB: the connection stays, as the user it was.
    assert.equal(await selectOne(connection), 2);
  });
  await using(cathode.connect(), async (connection) => {
    const error = await wireError(connection.changeUser({ user: 'cathode', password: 'wrong' }));
    assert.equal(error.errno, 1045);
  });
});
