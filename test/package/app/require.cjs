// require() of the package from CommonJS: Node (20.19 and later) loads ES modules that have no
// top-level await.
const root = require("hakuban");
const explicit = require("hakuban/node");

const node = new root.LocalNode({ name: "required" });
const seen = [];
node.object(["package"], "require").observe().onChange((state) => state && seen.push(state.data));
node.object(["package"], "require").expose().set("delivered");
node.close().then(() => {
  console.log(JSON.stringify({ seen, listen: typeof root.listen, sameAsNodeEntry: root.connect === explicit.connect }));
});
