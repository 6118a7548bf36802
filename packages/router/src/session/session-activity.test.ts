import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandFinish } from '@cathode/frontend';
import { SessionActivity, type SessionIdentityView } from './session-activity.ts';

const view = (busy: boolean): SessionIdentityView => ({
  id: 7,
  user: 'u',
  host: 'h:1',
  db: 'app',
  busy,
  idleSince: 1000,
  relaying: false,
  preparedSql: (id) => (id === 3 ? 'SELECT ?' : undefined),
});
const query = (sql: string) => Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]);

test('a running command shows its name, its text and the time since it started; once answered, the session sleeps', () => {
  const activity = new SessionActivity();
  const finished: unknown[] = [];
  const finish: CommandFinish = (error) => void finished.push(error);
  const done = activity.begin(query('SELECT SLEEP(1)'), finish);
  const running = activity.row(view(true), Date.now() + 1500, 100);
  assert.equal(running.command, 'Query');
  assert.equal(running.info, 'SELECT SLEEP(1)');
  assert.equal(running.state, 'starting');
  assert.ok(running.timeMs >= 1500);
  done();
  assert.deepEqual(finished, [undefined], 'the frontend is told');
  const idle = activity.row(view(false), 4000, 100);
  assert.deepEqual([idle.command, idle.state, idle.info, idle.timeMs], ['Sleep', '', null, 3000]);
});

test('the finish wrapper is made once per session, not per command', () => {
  const activity = new SessionActivity();
  const finish: CommandFinish = () => {};
  const first = activity.begin(query('SELECT 1'), finish);
  first();
  assert.equal(activity.begin(query('SELECT 2'), finish), first);
});

test('an execute shows its prepared SQL, and text is cut to the limit', () => {
  const activity = new SessionActivity();
  const execute = Buffer.from([0x17, 3, 0, 0, 0, 0, 1, 0, 0, 0]);
  activity.begin(execute, () => {});
  // The execute path writes the backend's statement id into the packet: the client's id was read before.
  execute.writeUInt32LE(99, 1);
  assert.deepEqual([activity.row(view(true), 0, 100).command, activity.row(view(true), 0, 100).info], ['Execute', 'SELECT ?']);
  activity.begin(query('é'.repeat(150)), () => {});
  assert.equal(activity.row(view(true), 0, 100).info, 'é'.repeat(100));
});
