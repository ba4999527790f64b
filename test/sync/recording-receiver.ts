import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { DEFAULT_DATA_LIMITS } from "../../lib/state/frozen-data.js";
import type { ObjectState } from "../../lib/state/object-state.js";
import type { LinkFormats } from "../../lib/sync/link-formats.js";
import { type ReceivingEnd, StateReceiver } from "../../lib/sync/state-receiver.js";

/**
 * A StateReceiver of the object `[]`/`name` holding `held`, within the default data limits (or up to
 * `maxLength`), taking the diffs of `formats`; `aborts` records each reason its link was told to end.
 */
export function recordingReceiver(
  name: string,
  held: ObjectState<unknown> | undefined,
  { formats, maxLength = DEFAULT_DATA_LIMITS.maxLength }: { readonly formats?: LinkFormats | undefined; readonly maxLength?: number | undefined } = {},
): { receiver: StateReceiver; aborts: string[] } {
  const aborts: string[] = [];
  const end: ReceivingEnd = {
    descriptor: new ObjectDescriptor([], name),
    dataLimits: { ...DEFAULT_DATA_LIMITS, maxLength },
    abort: (reason) => void aborts.push(reason),
    ...(formats === undefined ? {} : { formats }),
  };
  return { receiver: new StateReceiver(end, held), aborts };
}
