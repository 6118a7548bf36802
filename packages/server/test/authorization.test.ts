import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '@cathode/config';
import { adminQuery } from '@cathode/testkit';
import type mysql from 'mysql2/promise';
import { startCathode } from '../src/index.ts';
import { using, wireError } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// Users confined to their grants (issue 7, holes 1 and 17). A configured user with a
// backendAccount runs as that MariaDB account, so MariaDB's grants stop what Cathode's lexer cannot
// see; server accounts (accounts.fromBackend) log in as themselves, verified against the hash
// MariaDB stores, without Cathode ever knowing their password.

const tag = randomBytes(3).toString('hex');
const appAccount = `app_${tag}`;
const serverUser = `srv_${tag}`;
const otherSchema = `o_${tag}`;
let cathode: TestCathode;
/** Backend accounts created here, dropped at the end. */
const createdAccounts: string[] = [];

async function createAccount(account: string, sql: string): Promise<void> {
  createdAccounts.push(account);
  await cathode.direct(`CREATE USER ${account} ${sql}`);
}

before(async () => {
  cathode = await startTestCathode(async ({ schema, mariadb }) => {
    await adminQuery(mariadb, `CREATE DATABASE ${otherSchema}; CREATE TABLE ${otherSchema}.secret (v VARCHAR(20)); INSERT INTO ${otherSchema}.secret VALUES ('hidden')`);
    await adminQuery(mariadb, `CREATE TABLE ${schema}.notes (id INT PRIMARY KEY, text VARCHAR(20)); INSERT INTO ${schema}.notes VALUES (1, 'mine')`);
    // An administrator's routine and view in the users' schema, reading another one with the caller's rights:
    // statements that use them name no other schema.
    await adminQuery(
      mariadb,
      `CREATE PROCEDURE ${schema}.peek() SQL SECURITY INVOKER SELECT v FROM ${otherSchema}.secret;
       CREATE SQL SECURITY INVOKER VIEW ${schema}.peeking AS SELECT v FROM ${otherSchema}.secret`,
    );
    await adminQuery(mariadb, `CREATE USER '${appAccount}'@'%' IDENTIFIED BY 'app-pw'; GRANT ALL ON \`${schema}\`.* TO '${appAccount}'@'%'`);
    await adminQuery(mariadb, `CREATE USER '${serverUser}'@'%' IDENTIFIED BY 'srv-pw'; GRANT SELECT ON \`${schema}\`.* TO '${serverUser}'@'%'`);
    return {
      users: [
        { name: 'cathode', password: 'cathode', schemas: [schema] },
        { name: 'confined', password: 'confined', schemas: [schema], backendAccount: { user: appAccount, password: 'app-pw' } },
      ],
      accounts: { fromBackend: true, reloadMinIntervalMs: 1 },
    };
  });
  createdAccounts.push(`'${appAccount}'@'%'`, `'${serverUser}'@'%'`);
});

after(async () => {
  for (const account of createdAccounts) await cathode?.direct(`DROP USER IF EXISTS ${account}`);
  await cathode?.direct(`DROP DATABASE IF EXISTS ${otherSchema}`);
  await cathode?.close();
});

const confined = () => cathode.connect({ user: 'confined', password: 'confined' });

async function currentUser(connection: mysql.Connection): Promise<string> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS account');
  return rows[0].account as string;
}

async function errnoOf(work: Promise<unknown>): Promise<number> {
  return (await wireError(work)).errno;
}

describe('a configured user with a backend account', () => {
  test('runs as that backend account, not as the backend entry\'s root', async () => {
    await using(confined(), async (connection) => {
      assert.equal(await currentUser(connection), `${appAccount}@%`);
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT text FROM notes');
      assert.deepEqual(rows.map((row) => row.text), ['mine']);
    });
  });

  test('cannot read mysql.user: qualified names, subqueries, prepared statements (1044)', async () => {
    await using(confined(), async (connection) => {
      assert.equal(await errnoOf(connection.query('SELECT User, Password FROM mysql.user')), 1044);
      assert.equal(await errnoOf(connection.query('SELECT * FROM `mysql` . `user`')), 1044);
      assert.equal(await errnoOf(connection.query('SELECT text FROM notes WHERE EXISTS (SELECT 1 FROM mysql.user WHERE User = "root")')), 1044);
      assert.equal(await errnoOf(connection.execute('SELECT authentication_string FROM mysql.user WHERE User = ?', ['root'])), 1044);
      assert.equal(await errnoOf(connection.query('USE mysql')), 1044);
    });
  });

  test('cannot change another schema or create one (1044)', async () => {
    await using(confined(), async (connection) => {
      assert.equal(await errnoOf(connection.query(`UPDATE ${otherSchema}.secret SET v = 'changed'`)), 1044);
      assert.equal(await errnoOf(connection.query(`CREATE DATABASE other_${tag}`)), 1044);
    });
    const rows = (await cathode.direct(`SELECT v FROM ${otherSchema}.secret`)) as Array<{ v: string }>;
    assert.deepEqual(rows.map((row) => row.v), ['hidden']);
  });

  test('administrative statements are refused (1227)', async () => {
    const refused = [
      'SET GLOBAL max_connections = 10',
      `CREATE USER evil_${tag} IDENTIFIED BY 'x'`,
      `GRANT ALL ON *.* TO '${appAccount}'@'%'`,
      `SELECT text FROM notes INTO OUTFILE '/tmp/cathode-${tag}.txt'`,
      "SELECT LOAD_FILE('/etc/passwd')",
      'SHUTDOWN',
      'KILL USER root',
      'KILL HARD USER root',
    ];
    await using(confined(), async (connection) => {
      for (const sql of refused) assert.equal(await errnoOf(connection.query(sql)), 1227, sql);
    });
  });

  test('dynamic SQL, whose text names no schema, is refused before any backend (1227)', async () => {
    await using(confined(), async (connection) => {
      assert.equal(await errnoOf(connection.query(`EXECUTE IMMEDIATE CONCAT('SELECT v FROM o_', '${tag}', '.secret')`)), 1227);
    });
  });

  test("MariaDB's grants stop what the lexer cannot see: routines and views that read another schema with the caller's rights", async () => {
    // The regression: run as the backend entry's root, both read the other schema.
    await using(cathode.connect(), async (connection) => {
      const [[rows]] = await connection.query<mysql.RowDataPacket[][]>('CALL peek()');
      assert.deepEqual(rows.map((row) => row.v), ['hidden']);
      const [viewRows] = await connection.query<mysql.RowDataPacket[]>('SELECT v FROM peeking');
      assert.deepEqual(viewRows.map((row) => row.v), ['hidden']);
    });
    await using(confined(), async (connection) => {
      assert.equal(await errnoOf(connection.query('CALL peek()')), 1142);
      assert.equal(await errnoOf(connection.query('SELECT v FROM peeking')), 1356);
    });
  });
});

describe('server accounts', () => {
  const asServerUser = (more: mysql.ConnectionOptions = {}) => cathode.connect({ user: serverUser, password: 'srv-pw', ...more });

  test('a MariaDB account logs in through Cathode as itself, with its own grants', async () => {
    await using(asServerUser(), async (connection) => {
      assert.equal(await currentUser(connection), `${serverUser}@%`);
      const [rows] = await connection.execute<mysql.RowDataPacket[]>('SELECT text FROM notes WHERE id = ?', [1]);
      assert.deepEqual(rows.map((row) => row.text), ['mine']);
      // SELECT only: MariaDB itself refuses the write.
      assert.equal(await errnoOf(connection.query("INSERT INTO notes VALUES (2, 'no')")), 1142);
    });
  });

  test('a wrong password is refused with 1045', async () => {
    const error = await wireError(asServerUser({ password: 'srv-pw!' }));
    assert.equal(error.errno, 1045);
    assert.equal(error.sqlState, '28000');
  });

  test('it cannot read other schemas, named or through a view', async () => {
    await using(asServerUser(), async (connection) => {
      assert.equal(await errnoOf(connection.query(`SELECT v FROM ${otherSchema}.secret`)), 1044);
      assert.equal(await errnoOf(connection.query('SELECT User FROM mysql.user')), 1044);
      assert.equal(await errnoOf(connection.query('SELECT v FROM peeking')), 1356);
    });
    assert.equal(await errnoOf(asServerUser({ database: otherSchema })), 1044);
  });

  test('COM_CHANGE_USER to a server account runs as it', async () => {
    await using(cathode.connect(), async (connection) => {
      assert.match(await currentUser(connection), /^root@/);
      await connection.changeUser({ user: serverUser, password: 'srv-pw', database: cathode.schema });
      assert.equal(await currentUser(connection), `${serverUser}@%`);
      await connection.changeUser({ user: 'confined', password: 'confined', database: cathode.schema });
      assert.equal(await currentUser(connection), `${appAccount}@%`);
    });
  });

  test('an account created after start-up logs in (the accounts are reloaded for an unknown user)', async () => {
    const late = `late_${tag}`;
    await createAccount(`'${late}'@'%'`, "IDENTIFIED BY 'late-pw'");
    await cathode.direct(`GRANT SELECT ON \`${cathode.schema}\`.* TO '${late}'@'%'`);
    await using(cathode.connect({ user: late, password: 'late-pw' }), async (connection) => {
      assert.equal(await currentUser(connection), `${late}@%`);
    });
  });

  test('a password changed on the server works at once, and the old one no longer does', async () => {
    const moving = `moving_${tag}`;
    await createAccount(`'${moving}'@'%'`, "IDENTIFIED BY 'before-pw'");
    await cathode.direct(`GRANT SELECT ON \`${cathode.schema}\`.* TO '${moving}'@'%'`);
    // Two sessions at once, one per reactor: each reactor now knows the account with its old hash.
    const before = await Promise.all([cathode.connect({ user: moving, password: 'before-pw' }), cathode.connect({ user: moving, password: 'before-pw' })]);
    assert.deepEqual(new Set(before.map((connection) => cathode.handle.reactorOf(connection.threadId))), new Set([0, 1]));
    await Promise.all(before.map((connection) => connection.end()));
    await cathode.direct(`ALTER USER '${moving}'@'%' IDENTIFIED BY 'after-pw'`);
    // A known user whose proof does not match the stored hash reloads the accounts (rate-limited).
    await using(cathode.connect({ user: moving, password: 'after-pw' }), async (connection) => {
      assert.equal(await currentUser(connection), `${moving}@%`);
    });
    assert.equal(await errnoOf(cathode.connect({ user: moving, password: 'before-pw' })), 1045);
  });

  test('the most specific host wins, and a host that does not match the client is no account', async () => {
    const near = `near_${tag}`;
    await createAccount(`'${near}'@'%'`, "IDENTIFIED BY 'anywhere-pw'");
    await createAccount(`'${near}'@'127.0.0.1'`, "IDENTIFIED BY 'loopback-pw'");
    await cathode.direct(`GRANT SELECT ON \`${cathode.schema}\`.* TO '${near}'@'127.0.0.1'`);
    await using(cathode.connect({ user: near, password: 'loopback-pw' }), async (connection) => {
      assert.equal(await currentUser(connection), `${near}@127.0.0.1`);
    });
    assert.equal(await errnoOf(cathode.connect({ user: near, password: 'anywhere-pw' })), 1045);
    const far = `far_${tag}`;
    await createAccount(`'${far}'@'10.99.%'`, "IDENTIFIED BY 'far-pw'");
    assert.equal(await errnoOf(cathode.connect({ user: far, password: 'far-pw', database: undefined })), 1045);
  });

  test('an account with another auth plugin is refused with 1045', async () => {
    const socketUser = `sock_${tag}`;
    await createAccount(`'${socketUser}'@'%'`, 'IDENTIFIED VIA unix_socket');
    assert.equal(await errnoOf(cathode.connect({ user: socketUser, password: '', database: undefined })), 1045);
  });
});

test("accounts.fromBackend with a backend account that cannot read the mysql schema stops start-up, naming the grant", async () => {
  const blind = `blind_${tag}`;
  await createAccount(`'${blind}'@'%'`, "IDENTIFIED BY 'blind-pw'");
  const config = parseConfig({
    listen: { host: '127.0.0.1', port: 0 },
    reactors: 1,
    users: [{ name: 'cathode', password: 'cathode', schemas: ['*'] }],
    backends: [{ name: 'primary', host: cathode.mariadb.host, port: cathode.mariadb.port, user: blind, password: 'blind-pw' }],
    accounts: { fromBackend: true },
    log: { level: 'silent' },
  });
  await assert.rejects(startCathode(config), (error: Error) => {
    assert.equal(error.name, 'StartupError');
    assert.match(error.message, /accounts\.fromBackend/);
    assert.match(error.message, /SELECT ON mysql\.\*/);
    return true;
  });
});
