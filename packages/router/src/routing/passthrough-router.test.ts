import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DataNode } from './data-node.ts';
import { PassthroughRouter } from './passthrough-router.ts';
import type { Router } from './router.ts';

const node = (id: number, name: string): DataNode => ({ id, name, backend: { name, host: '127.0.0.1', port: 3306 + id, user: 'cathode', password: '' }, database: undefined });
const primary = node(0, 'primary');
const reporting = node(1, 'reporting');
// Through the seam, as the session core calls it.
const router: Router = new PassthroughRouter(new Map([['app', primary], ['audit', primary], ['reports', reporting]]), primary);
const sql = Buffer.from('SELECT 1');

describe('PassthroughRouter', () => {
  test("every statement of a schema passes through to the node of that schema's backend", () => {
    assert.deepEqual(router.route('reports', sql), { kind: 'passthrough', node: reporting });
    assert.deepEqual(router.route('app', sql), { kind: 'passthrough', node: primary });
  });

  test('a session without a schema, or with one no backend is configured for, goes to the default node', () => {
    assert.equal(router.nodeForSchema(undefined), primary);
    assert.equal(router.nodeForSchema('elsewhere'), primary);
    assert.equal(router.route(undefined, sql), router.route('elsewhere', sql));
  });

  test('schemas on one backend share its node, so a transaction survives USE of another schema there', () => {
    assert.equal(router.nodeForSchema('app'), router.nodeForSchema('audit'));
  });

  test('plans are built once per node: routing a statement allocates no plan', () => {
    assert.equal(router.route('reports', sql), router.route('reports', Buffer.from('UPDATE t SET a = 1')));
    assert.equal(router.route('app', sql), router.route('audit', sql));
  });
});
