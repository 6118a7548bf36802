import type { DataNode } from './data-node.ts';

/** One piece of a fanned-out statement: the SQL a data node runs. */
export interface RouteTarget {
  readonly node: DataNode;
  readonly sql: string;
}

/** How the responses of a fanned-out statement become one: the kinds sharding needs grow here. */
export type MergeKind =
  /** Result sets with the same columns, rows of each target in target order; OKs add up. */
  'concatenate';

/**
 * What the session core does with a statement. `passthrough` is the hot path: the client's bytes
 * go to one node and its response comes back undecoded. `fan-out` sends each target its own SQL
 * and merges the responses.
 */
export type RoutePlan =
  | { readonly kind: 'passthrough'; readonly node: DataNode }
  | { readonly kind: 'fan-out'; readonly targets: readonly RouteTarget[]; readonly merge: MergeKind };
