// Trust: a parent that lets in only children with a signed token, and decides per object what each
// may observe and expose. Tokens are HS256 JWTs (made here with jose; in production your login
// service issues them). Run: npx tsx examples/trust.ts
import { filter, firstValueFrom } from "rxjs";
import { SignJWT } from "jose";
import { LinkRefusedError, LocalNode, connect, jwtAuthenticator, listen, parsePolicy } from "hakuban";

const secret = new TextEncoder().encode("an example secret of 32 bytes or more");

/** A token for `id` with `claims`, valid for an hour. */
function tokenFor(id: string, claims: Record<string, string>, key = secret): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(id).setExpirationTime("1h").sign(key);
}

export async function trust(log: (line: string) => void = console.log): Promise<void> {
  // The first rule whose principal matches decides: services may do anything; everyone else may
  // observe objects tagged "public" and objects whose owner is their own id ({ $claim: "id" }).
  const policy = parsePolicy({
    rules: [
      { name: "services", principal: { role: "service" }, observe: [{ any: true }], expose: [{ any: true }] },
      { name: "users", observe: [{ tag: "public" }, { object: { owner: { $claim: "id" } } }] },
    ],
  });
  const parent = new LocalNode({ name: "parent" });
  const server = await listen(parent, { port: 0, authenticate: jwtAuthenticator({ secret }), policy });

  // A service links with its token and exposes two users' inboxes.
  const service = new LocalNode({ name: "mail-service" });
  connect(service, server.url, { token: () => tokenFor("mail", { role: "service" }) });
  service.object([], { owner: "alice", name: "inbox" }).expose<number>().set(2);
  service.object([], { owner: "bob", name: "inbox" }).expose<number>().set(5);

  // Alice links as a user: her own inbox flows, Bob's is denied, and her contract is told why.
  const alice = new LocalNode({ name: "alice-laptop" });
  // Denials also reach the node's error stream (unwatched, they would be logged to the console).
  alice.errors$.subscribe(({ context }) => log(`alice's node was told: ${context}`));
  connect(alice, server.url, { token: () => tokenFor("alice", { role: "user" }) });
  const own = alice.object([], { owner: "alice", name: "inbox" }).observe<number>();
  const state = await firstValueFrom(own.state$.pipe(filter((s) => s?.synchronized === true)));
  log(`alice's inbox: ${state?.data} unread`);
  const other = alice.object([], { owner: "bob", name: "inbox" }).observe<number>();
  const denial = await firstValueFrom(other.denial$.pipe(filter((d) => d !== undefined)));
  log(`bob's inbox: ${denial?.reason}`);

  // A token signed with another key is refused, and a fixed token that was refused is final.
  const mallory = new LocalNode({ name: "mallory" });
  const forged = await tokenFor("mallory", { role: "service" }, new TextEncoder().encode("a key the parent does not know, 32+ bytes"));
  const upstream = connect(mallory, server.url, { token: forged });
  await firstValueFrom(upstream.status$.pipe(filter((status) => status === "closed")));
  log(`mallory: ${upstream.lastError instanceof LinkRefusedError ? "refused" : "?"}: ${upstream.lastError?.message}`);

  await Promise.all([mallory.close(), alice.close(), service.close()]);
  await parent.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await trust();
