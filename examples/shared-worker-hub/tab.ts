// A tab of the shared-worker-hub example: its node links to the SharedWorker hub by a port, exposes
// this tab's click count and observes every tab's. Open the page in several tabs; a tab that closes
// leaves the list once the hub notices. Built and served by serve.ts.
import { connectPort, LocalNode } from "hakuban";
import { KEEP_ALIVE_MS } from "./keep-alive.js";

interface TabState {
  readonly clicks: number;
}

const id = crypto.randomUUID().slice(0, 8);
const node = new LocalNode({ name: `tab ${id}` });
// A function, not a port: should the link be lost, the tab asks for a fresh port, which restarts the
// hub if it went away, and resyncs.
const upstream = connectPort(node, () => new SharedWorker(new URL("./hub.js", location.href), { name: "hakuban hub" }).port, {
  peer: "shared worker hub",
  keepAliveMs: KEEP_ALIVE_MS,
});

const status = document.querySelector<HTMLElement>("#status")!;
const list = document.querySelector<HTMLUListElement>("#tabs")!;
const button = document.querySelector<HTMLButtonElement>("#click")!;
document.querySelector("#me")!.textContent = id;
upstream.status$.subscribe((value) => {
  status.textContent = value;
  status.dataset.status = value;
});
// A tab that closes says goodbye; one that crashes says nothing, and the hub's keep-alive notices.
addEventListener("pagehide", () => void node.close());

let clicks = 0;
const mine = node.object(["tabs"], { tab: id }).expose<TabState>();
mine.set({ clicks });
button.addEventListener("click", () => mine.set({ clicks: ++clicks }));

const tabs = node.tag("tabs").observe<TabState>();
tabs.onChange(() => {
  const rows = [...tabs.objects.values()].flatMap(({ descriptor, state }) => {
    const tab = (descriptor.json as { tab: string }).tab;
    return state === undefined ? [] : [{ tab, clicks: state.data.clicks, synchronized: state.synchronized }];
  });
  list.replaceChildren(
    ...rows
      .sort((a, b) => a.tab.localeCompare(b.tab))
      .map((row) => {
        const item = document.createElement("li");
        item.dataset.tab = row.tab;
        item.textContent = `tab ${row.tab}${row.tab === id ? " (this tab)" : ""}: ${row.clicks} ${row.clicks === 1 ? "click" : "clicks"}${row.synchronized ? "" : " (gone)"}`;
        return item;
      }),
  );
});
