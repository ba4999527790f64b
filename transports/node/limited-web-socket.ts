import { WebSocket } from "ws";
import { MessageTooLargeError } from "./message-too-large-error.js";

/** The code `ws` gives the error for a message over `maxPayload`. */
const MESSAGE_TOO_LARGE = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/**
 * A `ws` WebSocket class, for both the accepting and the dialing side, whose error for a message over
 * `maxPayload` is a MessageTooLargeError naming the limit (ws' own says only "Max payload size
 * exceeded"); every other error passes unchanged. The carrier closes with this error, so it is what
 * the logs show.
 */
export function limitedWebSocket(maxPayload: number): typeof WebSocket {
  return class LimitedWebSocket extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const [error] = args;
      if (event === "error" && (error as { code?: unknown } | undefined)?.code === MESSAGE_TOO_LARGE) {
        return super.emit(event, new MessageTooLargeError(maxPayload, { cause: error }));
      }
      return super.emit(event, ...args);
    }
  };
}
