import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { ProcessRow } from '@cathode/router';
import pino from 'pino';
import type { MainToReactor } from '../threads/messages.ts';
import { PROCESS_LIST_TIMEOUT_MS, ProcessListGatherings } from './processlist-gathering.ts';

const row = (id: number): ProcessRow => ({ id, user: 'u', host: 'h:1', db: null, command: 'Sleep', timeMs: 0, state: '', info: null });

function setUp(reactors: number) {
  const sent: Array<[number, MainToReactor]> = [];
  const peers = {
    peersOf: (index: number) => [...Array(reactors).keys()].filter((other) => other !== index),
    send: (index: number, message: MainToReactor) => void sent.push([index, message]),
  };
  return { sent, gatherings: new ProcessListGatherings(peers, pino({ level: 'silent' })) };
}

test('every other reactor is asked, and the asker gets all their rows once the last one answers', () => {
  const { sent, gatherings } = setUp(3);
  gatherings.request(1, 77, { user: 'u', infoLimit: 100 });
  const asked = sent.splice(0);
  assert.deepEqual(asked.map(([index, message]) => [index, message.type]), [[0, 'processlist-collect'], [2, 'processlist-collect']]);
  const id = (asked[0][1] as { requestId: number }).requestId;
  gatherings.rows(0, id, [row(5)]);
  assert.equal(sent.length, 0, 'still waiting for reactor 2');
  gatherings.rows(0, id, [row(6)]);
  assert.equal(sent.length, 0, 'a second answer from the same reactor counts for nothing');
  gatherings.rows(2, id, [row(9)]);
  assert.deepEqual(sent, [[1, { type: 'processlist-result', requestId: 77, rows: [row(5), row(9)] }]]);
});

test('a reactor that never answers is left out when the timeout passes; its late answer is ignored', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { sent, gatherings } = setUp(3);
    gatherings.request(0, 8, { user: undefined, infoLimit: 100 });
    const id = (sent.splice(0)[0][1] as { requestId: number }).requestId;
    gatherings.rows(1, id, [row(3)]);
    mock.timers.tick(PROCESS_LIST_TIMEOUT_MS);
    assert.deepEqual(sent.splice(0), [[0, { type: 'processlist-result', requestId: 8, rows: [row(3)] }]]);
    gatherings.rows(2, id, [row(4)]);
    assert.deepEqual(sent, []);
  } finally {
    mock.timers.reset();
  }
});

test('with a single reactor the asker is answered at once, with nothing', () => {
  const { sent, gatherings } = setUp(1);
  gatherings.request(0, 3, { user: undefined, infoLimit: 100 });
  assert.deepEqual(sent, [[0, { type: 'processlist-result', requestId: 3, rows: [] }]]);
});
