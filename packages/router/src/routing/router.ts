import type { DataNode } from './data-node.ts';
import type { RoutePlan } from './route-plan.ts';

/**
 * The seam between the session core and what statements mean for data placement: it turns a
 * statement into a plan. The session core knows nodes and leases, never schemas-to-backends.
 */
export interface Router {
  /** `schema`: the session's default schema; `sql`: the statement text (COM_QUERY, or a prepared statement's). */
  route(schema: string | undefined, sql: Buffer): RoutePlan;
  /** The node serving commands that carry no statement (COM_FIELD_LIST, COM_STATISTICS, login schema checks). */
  nodeForSchema(schema: string | undefined): DataNode;
}
