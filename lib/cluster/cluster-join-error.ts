import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A node with a parent (or already in a cluster) was asked to join a cluster: only a root joins one,
 * since the cluster is the parent of each of its members.
 */
export class ClusterJoinError extends HakubanError {
  readonly code = "CLUSTER_JOIN";

  constructor(nodeName: string) {
    super(
      `Node "${nodeName}" already reports its interest to a parent or a cluster, so it cannot join a cluster: ` +
        "only a root router joins one (the cluster acts as its parent). Drop its --connect, or leave the other cluster first.",
    );
  }
}
