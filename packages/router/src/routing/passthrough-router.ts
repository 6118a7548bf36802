import type { DataNode } from './data-node.ts';
import type { RoutePlan } from './route-plan.ts';
import type { Router } from './router.ts';

/**
 * Today's behaviour behind the seam: every statement of a schema goes, bytes undecoded, to the
 * backend that serves the schema. Schemas on one backend share its node, so a transaction
 * survives `USE` as it does on MariaDB. Plans are built once per node, not per statement.
 */
export class PassthroughRouter implements Router {
  private readonly nodeBySchema: ReadonlyMap<string, DataNode>;
  private readonly defaultNode: DataNode;
  private readonly plans = new Map<DataNode, RoutePlan>();

  constructor(nodeBySchema: ReadonlyMap<string, DataNode>, defaultNode: DataNode) {
    this.nodeBySchema = nodeBySchema;
    this.defaultNode = defaultNode;
    for (const node of [defaultNode, ...nodeBySchema.values()]) this.plans.set(node, { kind: 'passthrough', node });
  }

  route(schema: string | undefined): RoutePlan {
    return this.plans.get(this.nodeForSchema(schema))!;
  }

  nodeForSchema(schema: string | undefined): DataNode {
    return (schema !== undefined && this.nodeBySchema.get(schema)) || this.defaultNode;
  }
}
