// The installed hakuban-router serves the inspector page and metrics on its WebSocket port.
import { spawn } from "node:child_process";

const router = spawn("node_modules/.bin/hakuban-router", ["--bind", "ws://127.0.0.1:0", "--monitor-tag", "monitor"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let output = "";
  router.stdout.on("data", (chunk) => {
    output += chunk;
    const match = /listening on ws:\/\/(\S+)/.exec(output);
    if (match) resolve(`http://${match[1]}`);
  });
  router.once("exit", (code) => reject(new Error(`hakuban-router exited with ${code}`)));
});
const page = await fetch(`${url}/`);
const html = await page.text();
const metrics = await (await fetch(`${url}/metrics`)).text();
const config = await (await fetch(`${url}/inspector.json`)).json();
router.kill("SIGTERM");
console.log(
  JSON.stringify({
    page: page.status,
    type: page.headers.get("content-type"),
    inspector: /<title>[^<]*inspector/i.test(html),
    metrics: metrics.includes("# TYPE hakuban_links gauge"),
    config,
  }),
);
