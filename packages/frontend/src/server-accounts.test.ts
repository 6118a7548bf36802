import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativePasswordStage2 } from '@cathode/wire';
import { type ServerAccountRecord, ServerAccounts } from './server-accounts.ts';
import { UserDirectory } from './user-directory.ts';

const record = (user: string, host: string, more: Partial<ServerAccountRecord> = {}): ServerAccountRecord => ({
  user,
  host,
  plugin: 'mysql_native_password',
  authenticationString: `*${nativePasswordStage2(`${user}-pw`).toString('hex').toUpperCase()}`,
  schemaPatterns: ['appdb'],
  ...more,
});

/** Server accounts over a scripted loader and clock: `loads` counts reads of the backend. */
function scripted(initial: ServerAccountRecord[], reloadMinIntervalMs = 1_000) {
  const state = { records: initial, loads: 0, time: 0 };
  const accounts = new ServerAccounts({
    load: async () => {
      state.loads++;
      return [...state.records];
    },
    reloadMinIntervalMs,
    now: () => state.time,
  });
  return { state, accounts };
}

describe('server accounts', () => {
  it("regression: accounts another reactor read replace this one's, so a password changed on the server stops working everywhere", async () => {
    const { state, accounts } = scripted([record('app', '%')]);
    await accounts.preload();
    const before = await accounts.find('app', '127.0.0.1');
    const changed = record('app', '%', { authenticationString: `*${nativePasswordStage2('new-pw').toString('hex').toUpperCase()}` });
    let told: ServerAccountRecord[] | undefined;
    const other = new ServerAccounts({ load: async () => [changed], reloadMinIntervalMs: 1_000, now: () => state.time, onLoaded: (records) => (told = records) });
    await other.preload();
    assert.deepEqual(told, [changed], 'a load tells of what it read');
    accounts.adopt(told!);
    assert.notEqual((await accounts.find('app', '127.0.0.1'))?.authenticationString, before?.authenticationString);
    assert.equal(state.loads, 1, 'adopted without reading the backend again');
  });

  it('finds the most specific host matching the client, whatever the server order', async () => {
    const { accounts } = scripted([record('app', '%'), record('app', '127.0.0.%'), record('app', '127.0.0.1'), record('app', '10.%')]);
    assert.equal((await accounts.find('app', '127.0.0.1'))?.host, '127.0.0.1');
    assert.equal((await accounts.find('app', '::ffff:127.0.0.9'))?.host, '127.0.0.%');
    assert.equal((await accounts.find('app', '10.2.3.4'))?.host, '10.%');
    assert.equal((await accounts.find('app', '192.0.2.1'))?.host, '%');
  });

  it('reloads for an unknown user, at most once per interval, sharing one load between logins', async () => {
    const { state, accounts } = scripted([record('app', '%')]);
    await accounts.preload();
    assert.equal(state.loads, 1);
    state.records = [record('app', '%'), record('late', '%')];
    // Within the interval of the last load: unknown, and no load.
    assert.equal(await accounts.find('late', '127.0.0.1'), undefined);
    assert.equal(state.loads, 1);
    state.time = 1_000;
    const [first, second] = await Promise.all([accounts.find('late', '127.0.0.1'), accounts.find('late', '127.0.0.1')]);
    assert.equal(first?.user, 'late');
    assert.equal(second?.user, 'late');
    assert.equal(state.loads, 2, 'two logins, one load');
    // A stream of unknown names costs no more loads within the interval.
    for (let i = 0; i < 5; i++) assert.equal(await accounts.find(`nobody${i}`, '127.0.0.1'), undefined);
    assert.equal(state.loads, 2);
    // Known users never reload; the next unknown one after the interval does.
    state.time = 10_000;
    await accounts.find('app', '127.0.0.1');
    assert.equal(state.loads, 2);
    assert.equal(await accounts.find('nobody', '127.0.0.1'), undefined);
    assert.equal(state.loads, 3);
  });

  it('reads a known account again after a failed proof, at most once per interval', async () => {
    const { state, accounts } = scripted([record('app', '%')]);
    await accounts.preload();
    assert.equal(await accounts.reloaded('app', '127.0.0.1'), undefined, 'just loaded');
    state.records = [record('app', '%', { authenticationString: `*${nativePasswordStage2('new-pw').toString('hex')}` })];
    state.time = 1_000;
    assert.deepEqual((await accounts.reloaded('app', '127.0.0.1'))?.authenticationString, state.records[0].authenticationString);
    assert.equal(await accounts.reloaded('app', '127.0.0.1'), undefined);
    assert.equal(state.loads, 2);
  });

  it('keeps the accounts it had when a reload fails', async () => {
    let fail = false;
    const failures: unknown[] = [];
    let time = 0;
    const accounts = new ServerAccounts({
      load: async () => {
        if (fail) throw new Error('backend down');
        return [record('app', '%')];
      },
      reloadMinIntervalMs: 1,
      onLoadFailed: (error) => failures.push(error),
      now: () => time,
    });
    await accounts.preload();
    fail = true;
    time = 5;
    assert.equal(await accounts.find('ghost', '127.0.0.1'), undefined);
    assert.equal(failures.length, 1);
    assert.equal((await accounts.find('app', '127.0.0.1'))?.user, 'app');
  });
});

describe('user directory with server accounts', () => {
  it('looks up configured users first, then server accounts', async () => {
    const users = new UserDirectory([{ name: 'app', password: 'configured', plugin: 'mysql_native_password', schemas: ['*'] }]);
    users.serverAccounts = scripted([record('app', '%'), record('srv', '%')]).accounts;
    assert.equal((await users.resolve('app', '127.0.0.1'))?.server, undefined);
    const srv = await users.resolve('srv', '127.0.0.1');
    assert.deepEqual(srv?.nativeStage2, nativePasswordStage2('srv-pw'));
    assert.equal(srv?.admin, false);
  });

  it("confines a server account to its grants' schemas", async () => {
    const users = new UserDirectory([]);
    users.serverAccounts = scripted([record('srv', '%', { schemaPatterns: ['app\\_db', 'shop%'] }), record('root', '%', { schemaPatterns: ['%'] })]).accounts;
    const srv = (await users.resolve('srv', '127.0.0.1'))!;
    assert.equal(users.mayUseSchema(srv, 'app_db'), true);
    assert.equal(users.mayUseSchema(srv, 'shop_eu'), true);
    assert.equal(users.mayUseSchema(srv, 'appXdb'), false);
    assert.equal(users.mayUseSchema(srv, 'mysql'), false);
    assert.equal(users.mayUseSchema((await users.resolve('root', '127.0.0.1'))!, 'mysql'), true);
  });

  it('marks accounts of other plugins (or unreadable hashes) as unsupported, naming the plugin', async () => {
    const users = new UserDirectory([]);
    users.serverAccounts = scripted([
      record('ed', '%', { plugin: 'ed25519', authenticationString: 'abc' }),
      record('sock', '%', { plugin: 'unix_socket', authenticationString: '' }),
      record('old', '%', { plugin: '' }),
      record('odd', '%', { authenticationString: 'not-a-hash' }),
    ]).accounts;
    assert.equal((await users.resolve('ed', '127.0.0.1'))?.unsupportedPlugin, 'ed25519');
    assert.equal((await users.resolve('sock', '127.0.0.1'))?.unsupportedPlugin, 'unix_socket');
    assert.equal((await users.resolve('old', '127.0.0.1'))?.unsupportedPlugin, undefined, "'' is mysql_native_password");
    assert.equal((await users.resolve('odd', '127.0.0.1'))?.unsupportedPlugin, 'mysql_native_password');
  });

  it('logs a server account in to the backend as itself, a configured user as its backendAccount or the backend default', async () => {
    const users = new UserDirectory([
      { name: 'mapped', password: 'm', plugin: 'mysql_native_password', schemas: ['*'], backendAccount: { user: 'app_rw', password: 'rw-pw' } },
      { name: 'plain', password: 'p', plugin: 'mysql_native_password', schemas: ['*'] },
    ]);
    users.serverAccounts = scripted([record('srv', '%')]).accounts;
    const stage1 = Buffer.alloc(20, 7);
    assert.deepEqual(users.backendLogin(users.find('mapped')!, { passwordStage1: undefined }), { user: 'app_rw', password: 'rw-pw' });
    assert.equal(users.backendLogin(users.find('plain')!, { passwordStage1: undefined }), undefined);
    assert.deepEqual(users.backendLogin((await users.resolve('srv', '127.0.0.1'))!, { passwordStage1: stage1 }), { user: 'srv', password: '', passwordStage1: stage1 });
  });
});
