// The root import in Node gives the Node `connect` (dials with ws) and `listen`: a child links to a
// parent over 127.0.0.1 and sees the parent's state.
import { LocalNode, connect, listen } from "hakuban";
import * as explicit from "hakuban/node";
import { filter, firstValueFrom } from "rxjs";

const parent = new LocalNode({ name: "parent" });
const server = await listen(parent, { port: 0 });
const child = new LocalNode({ name: "child" });
connect(child, server.url);
parent.object(["package"], "root-import").expose().set("crossed the link");
const observer = child.object(["package"], "root-import").observe();
const state = await firstValueFrom(observer.state$.pipe(filter((s) => s?.synchronized === true)));
await child.close();
await parent.close();

console.log(JSON.stringify({ seen: state.data, sameAsNodeEntry: connect === explicit.connect && listen === explicit.listen }));
