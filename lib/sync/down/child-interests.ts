import type { ObjectSession, OpenPayload, TagInterestPayload } from "../messages.js";
import type { DownstreamLink } from "./downstream-link.js";

/**
 * The handlers of a child's interests lane (named after the protocol's labels), each handing its
 * message to the parent's link: one small object per link where handlers written as closures would
 * be one closure each.
 */
export class ChildInterests {
  constructor(private readonly link: DownstreamLink) {}

  Open(open: OpenPayload, session: ObjectSession<"Up">): void {
    this.link.opened(open, session);
  }

  TagInterest(interest: TagInterestPayload): void {
    this.link.tagInterest(interest);
  }

  Sync(): void {
    this.link.synced();
  }

  Ping({ rtt }: { readonly rtt?: number }): void {
    this.link.pinged(rtt);
  }

  Refresh({ token }: { readonly token: string }): void {
    this.link.refreshWith(token);
  }

  Bye(): void {
    this.link.goodbye();
  }
}
