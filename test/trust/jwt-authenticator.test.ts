import { createHmac } from "node:crypto";
import { generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AuthenticationError, type AuthenticationFailure } from "../../lib/trust/authentication-error.js";
import type { AuthRequest } from "../../lib/trust/auth-request.js";
import { jwtAuthenticator } from "../../lib/trust/jwt-authenticator.js";
import { JwtOptionsError } from "../../lib/trust/jwt-options-error.js";
import { principalExpiresAt } from "../../lib/trust/principal.js";

const SECRET = "a-secret-of-at-least-thirty-two-bytes!";
const OTHER_SECRET = "another-secret-also-thirty-two-bytes-long";
const key = (secret: string) => new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);
const request = (token: string | undefined): AuthRequest => ({ token, headers: {}, remoteAddress: "127.0.0.1", url: "/" });

function sign(claims: Record<string, unknown>, options: { secret?: string; alg?: string; exp?: number; nbf?: number } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? "HS256" }).setIssuedAt();
  if (options.exp !== undefined) jwt = jwt.setExpirationTime(options.exp);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(key(options.secret ?? SECRET));
}

/** The AuthenticationError `authenticate` rejects with, checked to be of `failure` with a message matching `message`. */
async function refusal(result: Promise<unknown> | unknown, failure: AuthenticationFailure, message: RegExp): Promise<AuthenticationError> {
  const error = await Promise.resolve(result).then(
    () => {
      throw new Error("expected the token to be refused");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  const refused = error as AuthenticationError;
  expect(refused.failure).toBe(failure);
  expect(refused.code).toBe("AUTHENTICATION_FAILED");
  expect(refused.message).toMatch(message);
  return refused;
}

describe("jwtAuthenticator", () => {
  const authenticate = jwtAuthenticator({ secret: SECRET });

  it("accepts a valid token: `sub` is the id, every claim is the principal's, `exp` is when it expires", async () => {
    const exp = now() + 3600;
    const principal = await authenticate(request(await sign({ sub: "alice", role: "editor", teams: ["a", "b"], id: "ignored" }, { exp })));
    expect(principal).toMatchObject({ id: "alice", sub: "alice", role: "editor", teams: ["a", "b"], exp });
    expect(principalExpiresAt(principal)).toBe(exp * 1000);
    expect(Object.isFrozen(principal) && Object.isFrozen(principal["teams"])).toBe(true);
  });

  it("accepts a token without exp, whose principal does not expire, and a secret given as bytes", async () => {
    const principal = await jwtAuthenticator({ secret: key(SECRET) })(request(await sign({ sub: "bob" })));
    expect(principal.id).toBe("bob");
    expect(principalExpiresAt(principal)).toBeUndefined();
  });

  it("refuses a link without a token", async () => {
    await refusal(authenticate(request(undefined)), "missing-token", /^No token: .*connect\(node, url, \{ token \}\)/);
    await refusal(authenticate(request("")), "missing-token", /^No token/);
  });

  it("refuses a forged token (signed with another secret) and an altered one", async () => {
    await refusal(authenticate(request(await sign({ sub: "alice" }, { secret: OTHER_SECRET }))), "bad-signature", /signature does not verify/);
    const [header, , signature] = (await sign({ sub: "alice" })).split(".");
    const payload = Buffer.from(JSON.stringify({ sub: "root" })).toString("base64url");
    await refusal(authenticate(request(`${header}.${payload}.${signature}`)), "bad-signature", /signature does not verify/);
  });

  it("refuses an expired token, saying when it expired", async () => {
    const exp = now() - 60;
    const refused = await refusal(authenticate(request(await sign({ sub: "alice" }, { exp }))), "expired", /^The token expired at .*Z; get a fresh token/);
    expect(refused.message).toContain(new Date(exp * 1000).toISOString());
  });

  it("accepts an expired or early token within the clock tolerance", async () => {
    const tolerant = jwtAuthenticator({ secret: SECRET, clockToleranceSec: 120 });
    expect((await tolerant(request(await sign({ sub: "a" }, { exp: now() - 60 })))).id).toBe("a");
    expect((await tolerant(request(await sign({ sub: "a" }, { nbf: now() + 60 })))).id).toBe("a");
  });

  it("refuses a token not valid yet", async () => {
    await refusal(authenticate(request(await sign({ sub: "alice" }, { nbf: now() + 600 }))), "not-yet-valid", /not valid yet until .*Z; check the clocks/);
  });

  it('refuses an unsecured token (alg "none")', async () => {
    const unsecured = new UnsecuredJWT({ sub: "root" }).setIssuedAt().encode();
    await refusal(authenticate(request(unsecured)), "algorithm-not-allowed", /algorithm is not accepted; sign it with HS256/);
  });

  it("refuses a token of another algorithm: another HMAC one, and an asymmetric one", async () => {
    const long = SECRET + SECRET;
    const hs512 = await sign({ sub: "alice" }, { alg: "HS512", secret: long });
    await refusal(jwtAuthenticator({ secret: long })(request(hs512)), "algorithm-not-allowed", /sign it with HS256/);
    expect((await jwtAuthenticator({ secret: long, algorithms: ["HS512"] })(request(hs512))).id).toBe("alice");
    const { privateKey } = await generateKeyPair("RS256");
    const rs256 = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
    await refusal(authenticate(request(rs256)), "algorithm-not-allowed", /not accepted/);
  });

  it("refuses what is not a JWT at all, never echoing it", async () => {
    for (const token of ["not-a-token", "a.b.c", "x".repeat(5000)]) {
      const refused = await refusal(authenticate(request(token)), "malformed-token", /^The token is not a well-formed signed JWT/);
      expect(refused.message).not.toContain(token);
    }
  });

  it("refuses a token with a critical header extension it does not know", async () => {
    const part = (json: unknown) => Buffer.from(JSON.stringify(json)).toString("base64url");
    const signed = `${part({ alg: "HS256", crit: ["x-ext"], "x-ext": 1 })}.${part({ sub: "alice" })}`;
    const token = `${signed}.${createHmac("sha256", SECRET).update(signed).digest("base64url")}`;
    await refusal(authenticate(request(token)), "malformed-token", /^The token needs what this listener does not support \(.*"x-ext".*\)/);
  });

  it("refuses a token without a string sub, or with claims that make no principal", async () => {
    await refusal(authenticate(request(await sign({ name: "alice" }))), "invalid-claims", /no "sub" claim/);
    await refusal(authenticate(request(await sign({ sub: 7 }))), "invalid-claims", /no "sub" claim/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    await refusal(authenticate(request(await sign({ sub: "a", deep }))), "invalid-claims", /claims cannot make a principal: .*deeper than 32/);
  });

  it("refuses options that cannot verify safely", () => {
    expect(() => jwtAuthenticator({ secret: "short" })).toThrow(JwtOptionsError);
    expect(() => jwtAuthenticator({ secret: "short" })).toThrow(/5 bytes; HS256 need at least 32/);
    expect(() => jwtAuthenticator({ secret: SECRET, algorithms: ["HS512"] })).toThrow(/need at least 64/);
    expect(() => jwtAuthenticator({ secret: SECRET, algorithms: [] })).toThrow(/at least one algorithm/);
    expect(() => jwtAuthenticator({ secret: SECRET, algorithms: ["none" as "HS256"] })).toThrow(/HS256, HS384, HS512; got "none"/);
    expect(() => jwtAuthenticator({ secret: SECRET, clockToleranceSec: -1 })).toThrow(/clockToleranceSec/);
  });

  it("keeps its own copy of a secret given as bytes", async () => {
    const bytes = key(SECRET);
    const keeps = jwtAuthenticator({ secret: bytes });
    bytes.fill(0);
    expect((await keeps(request(await sign({ sub: "a" })))).id).toBe("a");
  });
});
