import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cliVersion } from "../../lib/cli/cli-version.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("hakuban --version", () => {
  it("is the version of the package.json named hakuban above the module, wherever it is", () => {
    expect(cliVersion()).toBe(version);
    expect(cliVersion(new URL("../../lib/cli/deeper/still/module.js", import.meta.url))).toBe(version);
    // Another package's manifest on the way up (docs/typedoc is the hakuban-api-docs package) is passed by.
    expect(cliVersion(new URL("../../docs/typedoc/module.js", import.meta.url))).toBe(version);
    expect(() => cliVersion("file:///no/such/folder/module.js")).toThrow("No package.json of hakuban above file:///no/such/folder/module.js; reinstall the package.");
  });
});
