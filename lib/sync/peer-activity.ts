import type { SessionMux } from "../choreography/index.js";

/**
 * `mux` as it is, except that `heard` is called for everything the peer sends (each frame, each session
 * end) before it is handed on: a link's keep-alive then counts any traffic as a sign of life, not only
 * its pings, so a peer busy sending states is never taken for a silent one.
 */
export function reportPeerActivity(mux: SessionMux, heard: () => void): SessionMux {
  return {
    attach: (handlers) =>
      mux.attach({
        receive: (session, lane, label, payload) => {
          heard();
          handlers.receive(session, lane, label, payload);
        },
        sessionEnded: (session, error) => {
          heard();
          handlers.sessionEnded(session, error);
        },
        closed: (error) => handlers.closed(error),
      }),
    send: (session, lane, label, payload) => mux.send(session, lane, label, payload),
    endSession: (session, error) => mux.endSession(session, error),
    close: (error) => mux.close(error),
    onClose: (handler) => mux.onClose(handler),
  };
}
