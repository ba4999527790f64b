import { HakubanError } from "../errors/hakuban-error.js";

/** `connect` was called on a node that already has an upstream: a node has at most one parent. */
export class UpstreamExistsError extends HakubanError {
  readonly code = "UPSTREAM_EXISTS";

  /** The URL of the upstream the node already has. */
  readonly existingUrl: string;

  constructor(nodeName: string, existingUrl: string, requestedUrl: string) {
    super(
      `Node "${nodeName}" already has an upstream (${existingUrl}), so it cannot also connect to ${requestedUrl}: ` +
        "a node has at most one parent. Close the existing upstream first (await upstream.close()), " +
        "or use another LocalNode.",
    );
    this.existingUrl = existingUrl;
  }
}
