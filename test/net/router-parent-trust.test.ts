import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openParentTrust } from "../../lib/router/router-parent-trust.js";
import { RouterFileError } from "../../lib/router/router-file-error.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hakuban-parent-trust-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the router's options for the link to its parent", () => {
  it("gives connect a token function that reads the token file at each call, one trailing newline ignored", async () => {
    const tokenFile = join(dir, "edge.jwt");
    writeFileSync(tokenFile, "first.token\n");
    const { token, tls } = await openParentTrust({ tokenFile });
    expect(tls).toBeUndefined();
    if (typeof token !== "function") throw new Error("expected a token function");
    expect(await token()).toBe("first.token");
    writeFileSync(tokenFile, "rotated.token\r\n");
    expect(await token()).toBe("rotated.token");
    writeFileSync(tokenFile, "kept.token\n\n");
    expect(await token()).toBe("kept.token\n");
  });

  it("gives connect the CA of --ca-file, and nothing without the options", async () => {
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    expect(await openParentTrust({ caFile })).toEqual({ tls: { ca: "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n" } });
    expect(await openParentTrust({})).toEqual({});
  });

  it("refuses at start a token or CA file it cannot read, or an empty token file, naming the option and the file", async () => {
    const missing = join(dir, "missing");
    await expect(openParentTrust({ tokenFile: missing })).rejects.toThrow(RouterFileError);
    await expect(openParentTrust({ tokenFile: missing })).rejects.toThrow(/^--token-file .*missing: cannot read the token for the parent \(ENOENT/);
    await expect(openParentTrust({ caFile: missing })).rejects.toThrow(/^--ca-file .*missing: cannot read the parent's certificate authority \(ENOENT/);
    const empty = join(dir, "empty.jwt");
    writeFileSync(empty, "\n");
    await expect(openParentTrust({ tokenFile: empty })).rejects.toThrow(/^--token-file .*empty\.jwt: the file is empty; write the token/);
  });

  it("rejects a later call of the token function once the file is gone, naming the option", async () => {
    const tokenFile = join(dir, "edge.jwt");
    writeFileSync(tokenFile, "a.token");
    const { token } = await openParentTrust({ tokenFile });
    if (typeof token !== "function") throw new Error("expected a token function");
    rmSync(tokenFile);
    await expect(token()).rejects.toThrow(RouterFileError);
    await expect(token()).rejects.toThrow(/^--token-file .*edge\.jwt: cannot read the token for the parent/);
  });
});
