import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type TestCertificates, makeTestCertificates } from '@cathode/testkit';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// The real `mariadb` command-line client (Debian's mariadb-client) against Cathode.

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let cathode: TestCathode;
let certs: TestCertificates;
let otherCerts: TestCertificates;

before(async () => {
  certs = await makeTestCertificates();
  otherCerts = await makeTestCertificates();
  cathode = await startTestCathode({ tls: { cert: certs.certPath, key: certs.keyPath } });
});
after(async () => {
  await cathode?.close();
  await Promise.all([certs, otherCerts].map((made) => made && rm(made.dir, { recursive: true, force: true })));
});

/**
 * Runs the client (SQL from `-e` in `args`, or from `input` on stdin) and resolves with its exit
 * code and output; a non-zero exit is not a rejection.
 */
function mariadb(args: string[], { user = 'cathode', password = 'cathode', input = '' } = {}): Promise<CliResult> {
  const command = ['--no-defaults', '-h127.0.0.1', `-P${cathode.port}`, `-u${user}`, `-p${password}`, '--connect-timeout=10', ...args, cathode.schema];
  return new Promise((resolve, reject) => {
    const child = execFile('mariadb', command, { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) resolve({ code: 0, stdout, stderr });
      // Not an exit status: the client did not run, or was killed by the timeout.
      else if (typeof error.code !== 'number') reject(error);
      else resolve({ code: error.code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** Batch mode, no column names: each row a line, columns tab-separated. */
async function rowsOf(sql: string, more: string[] = []): Promise<string[][]> {
  // Long SQL goes through stdin: one argv string may hold at most 128 KiB.
  const viaStdin = sql.length > 64 * 1024;
  const result = await mariadb(['--batch', '--skip-column-names', '--skip-ssl', ...more, ...(viaStdin ? [] : ['-e', sql])], { input: viaStdin ? sql : '' });
  assert.equal(result.code, 0, `mariadb exited ${result.code}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** The `status` (\s) report as a map of its "Name:  value" lines. */
async function status(more: string[]): Promise<Map<string, string>> {
  const result = await mariadb([...more, '-e', '\\s']);
  assert.equal(result.code, 0, `mariadb exited ${result.code}: ${result.stderr}`);
  const fields = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^([^:]+):\s+(.*)$/.exec(line);
    if (match) fields.set(match[1].trim(), match[2].trim());
  }
  return fields;
}

test('a query returns its rows, NULLs, decimals and UTF-8 text intact', async () => {
  const rows = await rowsOf("SELECT DATABASE(), 6 * 7, NULL, CAST(1.5 AS DECIMAL(4,2)), 'héllo ✓' UNION ALL SELECT 'x', 2, 'y', 0, ''", [
    '--default-character-set=utf8mb4',
  ]);
  assert.deepEqual(rows, [
    [cathode.schema, '42', 'NULL', '1.50', 'héllo ✓'],
    ['x', '2', 'y', '0.00', ''],
  ]);
});

test('the status report shows Cathode as the server and the schema in use', async () => {
  const fields = await status(['--skip-ssl']);
  assert.equal(fields.get('Current database'), cathode.schema);
  assert.match(fields.get('Server version') ?? '', /-Cathode/);
  assert.equal(fields.get('SSL'), 'Not in use');
  assert.equal(fields.get('TCP port'), String(cathode.port));
});

test('a multi-statement batch runs every statement in order on one session', async () => {
  const rows = await rowsOf(
    [
      'CREATE TABLE cli_batch (id INT PRIMARY KEY, name VARCHAR(20))',
      "INSERT INTO cli_batch VALUES (1, 'one'), (2, 'two'), (3, 'three')",
      'SET @doubled = (SELECT SUM(id) * 2 FROM cli_batch)',
      "UPDATE cli_batch SET name = CONCAT(name, '!') WHERE id = 2",
      'SELECT id, name, @doubled FROM cli_batch ORDER BY id',
      'DROP TABLE cli_batch',
    ].join('; '),
  );
  assert.deepEqual(rows, [
    ['1', 'one', '12'],
    ['2', 'two!', '12'],
    ['3', 'three', '12'],
  ]);
});

test('several statements in one COM_QUERY return all their result sets', async () => {
  // With another delimiter the client sends "SELECT ...; SELECT ...; ..." as one query (server-side multi-statement).
  const rows = await rowsOf("SELECT 1 AS a; SELECT 'two' AS b, 'second' AS c; DO 0; SELECT 3//", ['--delimiter=//']);
  assert.deepEqual(rows, [['1'], ['two', 'second'], ['3']]);
});

test('an error exits non-zero with ERROR 1146 and stops the batch there', async () => {
  const result = await mariadb(['--batch', '--skip-column-names', '--skip-ssl', '-e', 'SELECT 1; SELECT * FROM no_such_table; SELECT 3']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`ERROR 1146 \\(42S02\\) at line 1: Table '${cathode.schema}\\.no_such_table' doesn't exist`));
  assert.equal(result.stdout, '1\n');
  // The session that failed did not break anything for the next client.
  assert.deepEqual(await rowsOf('SELECT 2'), [['2']]);
});

test('--compress: the compressed protocol carries large results both ways', async () => {
  const fields = await status(['--skip-ssl', '--compress']);
  assert.equal(fields.get('Protocol'), 'Compressed');
  // Results and a query (300 KB, through stdin) far larger than one compressed frame.
  const big = 'abcdefghij'.repeat(30_000);
  const rows = await rowsOf(
    `SELECT LENGTH(REPEAT('x', 5000000)), MD5(REPEAT('y', 3000000)), LENGTH('${big}'), MD5('${big}'); SELECT 'after'`,
    ['--compress'],
  );
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  assert.deepEqual(rows, [['5000000', md5('y'.repeat(3_000_000)), String(big.length), md5(big)], ['after']]);
  const wide = await rowsOf("SELECT REPEAT('z', 2000000)", ['--compress']);
  assert.equal(wide[0][0], 'z'.repeat(2_000_000));
});

test('--ssl: the session runs over TLS with the certificate Cathode was configured with', async () => {
  const tlsArgs = ['--ssl', `--ssl-ca=${certs.caCertPath}`, '--ssl-verify-server-cert'];
  const fields = await status(tlsArgs);
  assert.match(fields.get('SSL') ?? '', /^Cipher in use is \S+/);
  const result = await mariadb([...tlsArgs, '--batch', '--skip-column-names', '-e', "SELECT 'over tls', DATABASE()"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `over tls\t${cathode.schema}\n`);
  // Compression inside TLS.
  const both = await status([...tlsArgs, '--compress']);
  assert.match(both.get('SSL') ?? '', /^Cipher in use is /);
  assert.equal(both.get('Protocol'), 'Compressed');
});

test('--ssl: a certificate from another CA is refused by the client', async () => {
  const result = await mariadb(['--ssl', `--ssl-ca=${otherCerts.caCertPath}`, '--ssl-verify-server-cert', '-e', 'SELECT 1']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /ERROR 2026/);
});

test('a wrong password prints ERROR 1045 and exits non-zero', async () => {
  const result = await mariadb(['--skip-ssl', '-e', 'SELECT 1'], { password: 'not-the-password' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ERROR 1045 \(28000\): Access denied for user 'cathode'@'127\.0\.0\.1' \(using password: YES\)/);
  assert.equal(result.stdout, '');
});

test('a user outside the schema list is refused with ERROR 1044', async () => {
  const result = await mariadb(['--skip-ssl', '-e', 'SELECT 1'], { user: 'outsider', password: 'outsider' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`ERROR 1044 \\(42000\\): Access denied for user 'outsider'@'127\\.0\\.0\\.1' to database '${cathode.schema}'`));
});

test('regression: a backend connection killed under the CLI\'s statement is reported as ERROR 1317, not as a malformed packet (2027)', async () => {
  const marker = `cli-${createHash('sha1').update(String(process.hrtime.bigint())).digest('hex').slice(0, 12)}`;
  const running = mariadb(['--batch', '--skip-ssl', '-e', `SELECT SLEEP(30), '${marker}'`]);
  // Wait (by querying, not sleeping) until MariaDB runs the statement, then kill its backend thread.
  for (;;) {
    const rows = (await cathode.direct("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', ?, '%') AND INFO NOT LIKE '%PROCESSLIST%'", [marker])) as Array<{ ID: number }>;
    if (rows.length > 0) {
      await cathode.direct(`KILL CONNECTION ${rows[0].ID}`);
      break;
    }
  }
  const result = await running;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ERROR 1317 \(70100\)/, result.stderr);
});
