import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendConnection } from '@cathode/backend';
import { ConnectionStatements, IDLE_STATEMENTS_PER_CONNECTION, type SharedStatement } from './connection-statements.ts';

/** A connection stand-in that records the statement ids it is told to close. */
function fakeConnection(busy = false) {
  const closed: number[] = [];
  const connection = { closed: false, busy, send: (payload: Buffer) => closed.push(payload.readUInt32LE(1)) } as unknown as BackendConnection;
  return { connection, closed };
}

function statement(id: number, key = `sql ${id}`): SharedStatement {
  return { id, key, refs: 0, types: undefined, response: [], definitions: [], definitionsKey: '', valid: true };
}

test('a statement one session prepared is taken by the next session that prepares the same key', () => {
  const { connection, closed } = fakeConnection();
  const cache = new ConnectionStatements(connection, []);
  const first = statement(1);
  cache.add(first);
  cache.release(first);
  assert.equal(cache.take('sql 1'), first);
  assert.equal(first.refs, 1);
  assert.equal(cache.take('other'), undefined);
  assert.deepEqual(closed, []);
});

test(`beyond ${IDLE_STATEMENTS_PER_CONNECTION} unreferenced statements the least recently used are closed; referenced ones never`, () => {
  const { connection, closed } = fakeConnection();
  const cache = new ConnectionStatements(connection, []);
  const held = statement(1000);
  cache.add(held);
  const idle = Array.from({ length: IDLE_STATEMENTS_PER_CONNECTION + 3 }, (_, i) => statement(i + 1));
  for (const entry of idle) {
    cache.add(entry);
    cache.release(entry);
  }
  assert.deepEqual(closed, [1, 2, 3]);
  assert.equal(held.valid, true);
  assert.equal(cache.take('sql 1'), undefined);
  assert.equal(cache.take('sql 4')?.id, 4);
});

test('a statement whose definitions changed is never taken again, and closed once its last user lets go', () => {
  const { connection, closed } = fakeConnection();
  const cache = new ConnectionStatements(connection, []);
  const shared = statement(7);
  cache.add(shared);
  assert.equal(cache.take('sql 7'), shared);
  cache.invalidate(shared);
  assert.equal(cache.take('sql 7'), undefined);
  cache.release(shared);
  assert.deepEqual(closed, []);
  cache.release(shared);
  assert.deepEqual(closed, [7]);
});

test('closes wait for a busy connection, and a reset forgets every statement', () => {
  const { connection, closed } = fakeConnection(true);
  const pending: number[] = [];
  const cache = new ConnectionStatements(connection, pending);
  const shared = statement(9);
  cache.add(shared);
  cache.invalidate(shared);
  cache.release(shared);
  assert.deepEqual([closed, pending], [[], [9]]);
  const other = statement(10);
  cache.add(other);
  cache.forgetAll();
  assert.equal(other.valid, false);
  assert.equal(cache.size, 0);
});
