import type { BackendEndpoint } from '@cathode/backend';

/** Where statements run: a backend server and, for sharded data, a physical database on it. */
export interface DataNode {
  /** Rank in the one global acquisition order: a statement needing several nodes leases them in ascending id. */
  readonly id: number;
  readonly name: string;
  readonly backend: BackendEndpoint;
  /** The physical database; undefined for a node that follows the session's own schema (schemas routed whole). */
  readonly database: string | undefined;
}
