// Test-only: leases over real pools to fake backends, without a session around them.
import { BackendPool } from '@cathode/backend';
import pino from 'pino';
import type { DataNode } from '../routing/data-node.ts';
import type { SessionState } from '../session/session-state.ts';

/** A data node per backend (ids in the order given), each with its own physical database. */
export function nodesOf(backends: ReadonlyArray<{ name: string; port: number }>): DataNode[] {
  return backends.map(({ name, port }, id) => ({ id, name: `node${id}`, backend: { name, host: '127.0.0.1', port, user: 'cathode', password: '' }, database: `shard${id}` }));
}

/** A pool of flavor 0 for `node`'s backend, opening connections only on demand. */
export function poolOf(node: DataNode, max: number): BackendPool {
  return new BackendPool(node.backend, 0, { min: 0, max, connectTimeoutMs: 5_000, waitTimeoutMs: 20_000, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } }, pino({ level: 'silent' }));
}

/**
 * What a lease asks of its session, with a state that a fresh backend connection of flavor 0
 * already has (collation 45, multi-statements on): checkouts send only the node's COM_INIT_DB.
 */
export function leaseHolder(): { state: SessionState; collations: Map<number, { charset: string; collation: string }>; abandoned: () => void } {
  return {
    state: { schema: undefined, charset: { kind: 'collation', id: 45 }, variables: new Map(), multiStatements: true, version: 0 },
    collations: new Map(),
    abandoned: () => {},
  };
}
