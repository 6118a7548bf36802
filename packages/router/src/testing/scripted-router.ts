// Test-only: a Router whose plans the test decides, for fan-outs without the sharding router.
import type { DataNode } from '../routing/data-node.ts';
import type { RoutePlan } from '../routing/route-plan.ts';
import type { Router } from '../routing/router.ts';

/** `/* nodes 2,0,1 *\/ SELECT ...`: a fan-out of the rest of the statement to those nodes, in that order. */
const FAN_OUT_MARK = /^\/\* nodes ([\d,]+) \*\/\s*(.*)$/s;

/**
 * Statements marked `/* nodes i,j,... *\/` fan out to those data nodes (each gets the rest of the
 * statement, concatenated); everything else passes through to node 0.
 */
export class ScriptedRouter implements Router {
  readonly nodes: readonly DataNode[];

  constructor(nodes: readonly DataNode[]) {
    this.nodes = nodes;
  }

  route(_schema: string | undefined, sql: Buffer): RoutePlan {
    const marked = FAN_OUT_MARK.exec(sql.toString('utf8'));
    if (!marked) return { kind: 'passthrough', node: this.nodes[0] };
    const targets = marked[1].split(',').map((id) => ({ node: this.nodes[Number(id)], sql: marked[2] }));
    return { kind: 'fan-out', targets, merge: 'concatenate' };
  }

  nodeForSchema(): DataNode {
    return this.nodes[0];
  }
}

/** The statement text that ScriptedRouter fans out to `nodeIds`, in that order. */
export function fanOutSql(nodeIds: readonly number[], sql: string): string {
  return `/* nodes ${nodeIds.join(',')} */ ${sql}`;
}
