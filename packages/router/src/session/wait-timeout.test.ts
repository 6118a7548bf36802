import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IdleSession, WaitTimeouts, waitTimeoutSeconds } from './wait-timeout.ts';

function session(idleSince: number | undefined) {
  const closed: string[] = [];
  const value: IdleSession & { idleSince: number | undefined; closed: string[] } = { idleSince, closed, close: (reason) => closed.push(reason) };
  return value;
}

test('a session idle past its own wait_timeout is closed; a busy one, or one idle less, is not', () => {
  const timeouts = new WaitTimeouts();
  const idle = session(1_000);
  const busy = session(undefined);
  const recent = session(1_500);
  timeouts.set(idle, 1);
  timeouts.set(busy, 1);
  timeouts.set(recent, 1);
  timeouts.check(2_100);
  assert.equal(idle.closed.length, 1);
  assert.deepEqual([busy.closed, recent.closed], [[], []]);
  timeouts.set(busy, undefined);
  timeouts.set(recent, undefined);
});

test('wait_timeout values as SET writes them', () => {
  assert.equal(waitTimeoutSeconds('@@session.wait_timeout = 1'), 1);
  assert.equal(waitTimeoutSeconds("@@session.wait_timeout = '30'"), 30);
  assert.equal(waitTimeoutSeconds('@@session.wait_timeout = 0'), 1);
  assert.equal(waitTimeoutSeconds('@@session.wait_timeout = DEFAULT'), undefined);
  assert.equal(waitTimeoutSeconds('@@session.wait_timeout = 1.5'), undefined);
});
