import { describe, expect, it } from "vitest";
import { inspectorContentSecurityPolicy, inspectorPageUrl } from "../../lib/router/inspector-page.js";

describe("the inspector page the router serves", () => {
  it("is looked for where npm run build writes it, from the built package and from the source tree", () => {
    expect(inspectorPageUrl("file:///app/node_modules/hakuban/dist/lib/router/router-http.js").href).toBe(
      "file:///app/node_modules/hakuban/dist/inspector/index.html",
    );
    expect(inspectorPageUrl("file:///src/hakuban/lib/router/router-http.ts").href).toBe("file:///src/hakuban/dist/inspector/index.html");
    expect(inspectorPageUrl().href).toMatch(/\/dist\/inspector\/index\.html$/);
  });

  it("allows each inline script and style by its hash, and none when the page has none", () => {
    const policy = inspectorContentSecurityPolicy("<style media=\"all\">a{}</style><script>1</script><script type=\"module\">2</script><script>1</script>");
    expect(policy).toMatch(/script-src '(sha256-[^']+)' '(sha256-[^']+)'; /);
    expect(policy.match(/script-src ([^;]*)/)![1]!.split(" ")).toHaveLength(2);
    expect(policy.match(/style-src ([^;]*)/)![1]!.split(" ")).toHaveLength(1);
    expect(inspectorContentSecurityPolicy("<p>static</p>")).toMatch(/script-src 'none'; style-src 'none'; connect-src 'self' ws: wss:/);
  });
});
