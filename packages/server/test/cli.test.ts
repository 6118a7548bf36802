import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// bin/cathode.mjs as users run it: exit codes and what it says, without starting a server.

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
