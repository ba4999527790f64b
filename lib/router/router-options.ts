import type { JsonValue } from "../descriptor/json-value.js";
import { DEFAULT_LEASE_TTL_MS } from "../cluster/lease-store.js";
import { tagFromArgument } from "../descriptor/tag-argument.js";
import { DEFAULT_MONITOR_INTERVAL_MS } from "../monitor/monitor-interval.js";
import { LOG_RATE_LIMIT_DEFAULTS } from "../net/log-rate-limiter.js";
import { checkAllowedOrigins, LINK_LIMIT_DEFAULTS, LISTEN_LIMIT_DEFAULTS, type ListenOptions, listenLinkLimits } from "../net/node/listen.js";
import { parseWebSocketUrl, type WebSocketUrlUse } from "../net/websocket-url.js";
import { RouterOptionsError } from "./router-options-error.js";

/** How much the router logs: each level includes the ones before it. */
export type RouterLogLevel = "error" | "warn" | "info" | "debug";

/** The router's log levels, least verbose first. */
export const ROUTER_LOG_LEVELS: readonly RouterLogLevel[] = ["error", "warn", "info", "debug"];

/** Where the router accepts children. */
export interface RouterBind {
  /** Interface to bind, without IPv6 brackets (e.g. "127.0.0.1", "::1", "0.0.0.0"). */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** URL path to accept connections on, when the bind URL has one. */
  readonly path?: string;
}

/** The listener's connection limits; each one left out takes `listen`'s default (LISTEN_LIMIT_DEFAULTS). */
export interface RouterLimits {
  /** `--max-connections`: most WebSocket connections at once; more are answered 503. */
  readonly maxConnections?: number;
  /** `--max-pending-upgrades`: most sockets connected but not upgraded to WebSocket yet; more are closed at once. */
  readonly maxPendingUpgrades?: number;
  /** `--upgrade-timeout`: milliseconds a socket has to send its WebSocket upgrade. */
  readonly upgradeTimeoutMs?: number;
  /** `--hello-timeout`: milliseconds a connection has to say the link protocol's Hello. */
  readonly helloTimeoutMs?: number;
  /**
   * `--max-objects`, `--max-tags`, `--max-descriptor-length`, `--opens-per-second`, `--queue-bytes`,
   * `--max-queue-bytes`, `--max-congested`: what each child may open and what is queued toward it (listen's
   * `linkLimits`); present only when one of them is given.
   */
  readonly linkLimits?: ListenOptions["linkLimits"];
}

type LinkLimitName = keyof typeof LINK_LIMIT_DEFAULTS;

/** The files of the certificate and key a `wss://` router serves (`--tls-cert`, `--tls-key`). */
export interface RouterTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Who may link to the router and what each link may do; files are read when the router starts. */
export interface RouterTrust {
  /** `--tls-cert` and `--tls-key`, given with a `wss://` bind. */
  readonly tls?: RouterTlsFiles;
  /** `--allowed-origin` (repeatable): browser origins that may link; others are answered 403. */
  readonly allowedOrigins?: readonly string[];
  /** `--jwt-secret-file`: links must bring an HS256 JWT signed with the secret in this file. */
  readonly jwtSecretFile?: string;
  /** `--policy`: the JSON policy file saying what each principal may observe and expose, followed as it changes. */
  readonly policyFile?: string;
  /** `--audit-log`: the file audit events are appended to as JSON lines, "-" for stdout. */
  readonly auditLog?: string;
}

/** How this router proves itself to its parent and trusts the parent's certificate (with `--connect`). */
export interface RouterParentTrust {
  /** `--token-file`: the file holding the token this router links with, read at each dial and refresh. */
  readonly tokenFile?: string;
  /** `--ca-file`: the certificate authority (PEM) a `wss://` parent's certificate is verified with. */
  readonly caFile?: string;
}

/** What the router publishes about itself. */
export interface RouterMonitor {
  /** `--monitor-tag`: the tag the router's monitor object carries (its snapshot, published while observed). */
  readonly monitorTag?: JsonValue;
  /** `--monitor-interval`: milliseconds between two snapshots of the monitor object (listen's default when absent). */
  readonly monitorIntervalMs?: number;
}

/** What `hakuban-router` was asked to do. */
export interface RouterOptions extends RouterLimits, RouterTrust, RouterParentTrust, RouterMonitor {
  readonly bind: RouterBind;
  /**
   * The parent router's URL, when this router is not the root; several (`--connect` repeated) are the
   * roots of a cluster, dialed in turn when the current one is lost.
   */
  readonly connect?: string | readonly string[];
  /** `--cluster`: the Redis URL of the cluster of roots this root router joins. */
  readonly cluster?: string;
  /** `--cluster-lease`: how long the root's cluster heartbeat (which keeps its leases) lasts without renewal, in milliseconds (the cluster's default when absent). */
  readonly clusterLeaseMs?: number;
  /** `--cluster-ca-file`: the certificate authority (PEM file) a `rediss://` cluster Redis is verified with. */
  readonly clusterCaFile?: string;
  /** The node name, shown in this router's and its peers' logs. */
  readonly name: string;
  readonly logLevel: RouterLogLevel;
}

/** The command line's name of each limit. */
const LIMIT_OPTIONS: Readonly<Record<string, Exclude<keyof RouterLimits, "linkLimits">>> = {
  "max-connections": "maxConnections",
  "max-pending-upgrades": "maxPendingUpgrades",
  "upgrade-timeout": "upgradeTimeoutMs",
  "hello-timeout": "helloTimeoutMs",
};

/** The command line's name of each link limit. */
const LINK_LIMIT_OPTIONS: Readonly<Record<string, LinkLimitName>> = {
  "max-objects": "maxObjects",
  "max-tags": "maxTags",
  "max-descriptor-length": "maxDescriptorLength",
  "opens-per-second": "opensPerSecond",
  "queue-bytes": "queueBytes",
  "max-queue-bytes": "maxQueueBytes",
  "max-congested": "maxCongestedMs",
};

/** The command line's name of each trust option that takes a file. */
const TRUST_FILE_OPTIONS: Readonly<Record<string, "jwtSecretFile" | "policyFile" | "auditLog">> = {
  "jwt-secret-file": "jwtSecretFile",
  policy: "policyFile",
  "audit-log": "auditLog",
};

/** The command line's name of each option of the link to the parent that takes a file. */
const PARENT_FILE_OPTIONS: Readonly<Record<string, keyof RouterParentTrust>> = {
  "token-file": "tokenFile",
  "ca-file": "caFile",
};

/** Options that may be given more than once, each adding a value. */
const REPEATABLE_OPTIONS: ReadonlySet<string> = new Set(["allowed-origin", "connect"]);

/** Options taking one value, besides the limits. */
const SINGLE_OPTIONS: ReadonlySet<string> = new Set(["bind", "cluster", "cluster-lease", "cluster-ca-file", "name", "log-level", "tls-cert", "tls-key", "monitor-tag", "monitor-interval"]);

/** A parsed command line: run a router, print the usage, or print the version. */
export type RouterCommand =
  | { readonly kind: "run"; readonly options: RouterOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" };

/** The router's usage text. */
export const ROUTER_USAGE = `Usage: hakuban-router --bind ws://HOST:PORT [--connect ws://PARENT:PORT]... [--name NAME] [--log-level LEVEL]
                      [--cluster redis://HOST:PORT [--cluster-lease MS] [--cluster-ca-file FILE]]
                      [--tls-cert FILE --tls-key FILE] [--allowed-origin ORIGIN]... [--jwt-secret-file FILE]
                      [--policy FILE] [--audit-log FILE|-] [--token-file FILE] [--ca-file FILE]
                      [--monitor-tag TAG [--monitor-interval MS]]
                      [--max-connections N] [--max-pending-upgrades N] [--upgrade-timeout MS] [--hello-timeout MS]
                      [--max-objects N] [--max-tags N] [--max-descriptor-length N] [--opens-per-second N]
                      [--queue-bytes N] [--max-queue-bytes N] [--max-congested MS]

Runs a hakuban router: a node that accepts child nodes over WebSocket and links them into one tree.
On the same port it answers plain HTTP: GET / the inspector page, GET /metrics Prometheus metrics
(hakuban_*), GET /healthz 200 while serving and 503 once shutting down. These need no token (the
metrics are counts, never data; the page links like any child, with a token when links need one).

  --bind ws://HOST:PORT[/PATH]   where children connect (port 0 picks a free one; the log says which);
                                 wss://HOST:PORT[/PATH] serves TLS, with --tls-cert and --tls-key
  --connect ws://PARENT:PORT     link this router to a parent router (default: this router is the root);
                                 wss:// for a parent serving TLS; repeatable, for the roots of a cluster:
                                 the next one is dialed when the current one is lost
  --cluster redis://HOST:PORT    join this root router to the cluster of root routers sharing that Redis
                                 (rediss:// for TLS, redis://USER:PASSWORD@HOST:PORT with credentials):
                                 together they act as one root. Not with --connect
  --cluster-lease MS             how long a root's heartbeat (which keeps its leases) lasts without
                                 renewal (default ${DEFAULT_LEASE_TTL_MS}): a root that dies keeps its objects this long
  --cluster-ca-file FILE         the certificate authority (PEM) that signed a rediss:// cluster Redis'
                                 certificate, when it is not one the system trusts
  --name NAME                    node name shown in logs (default: hakuban-router)
  --log-level LEVEL              error, warn, info (default) or debug (adds sockets accepted, the
                                 link handshakes, why a parent left, each connection's traffic)
  --tls-cert FILE                the certificate (PEM, its chain after it) a wss:// --bind serves
  --tls-key FILE                 the private key (PEM) of --tls-cert
  --allowed-origin ORIGIN        a browser origin that may link, e.g. https://app.example.com
                                 (repeatable; when given, upgrades from other origins are answered 403;
                                 clients that are not browsers send no origin and pass; list the
                                 router's own origin, e.g. http://HOST:PORT, for the inspector page it serves)
  --jwt-secret-file FILE         accept only links whose token is an HS256 JWT signed with the secret
                                 in FILE (at least 32 bytes; one trailing newline is ignored); its
                                 claims are the link's principal, "sub" its id
  --policy FILE                  what each principal may observe and expose (JSON, { "rules": [...] });
                                 reloaded when the file changes and on SIGHUP; a bad edit is logged
                                 and the previous policy stays
  --audit-log FILE|-             append audit events (authentications, refusals, denials, policy
                                 changes, elections) to FILE as JSON lines; - for stdout
  --token-file FILE              the token this router links to its --connect parent with (e.g. a JWT
                                 the parent's --jwt-secret-file accepts); read again at each dial and
                                 refresh, so a rotated file is picked up (one trailing newline is ignored);
                                 SIGHUP sends it to the parent at once
  --ca-file FILE                 the certificate authority (PEM) that signed a --connect wss:// parent's
                                 certificate, when it is not one the system trusts
  --monitor-tag TAG              publish this router's view of itself (links, objects, elections,
                                 rates, events) as a hakuban object carrying the tag TAG (read as JSON
                                 when it parses, e.g. {"monitor":"eu"}, else as a string), produced only
                                 while something observes it; the inspector page at / and hakuban top
                                 follow it. With --policy, principals need an observe grant on the tag
                                 to see it, and child routers an expose grant on it to publish theirs
  --monitor-interval MS          milliseconds between two snapshots of the monitor object (default ${DEFAULT_MONITOR_INTERVAL_MS})
  --max-connections N            most WebSocket connections at once (default ${LISTEN_LIMIT_DEFAULTS.maxConnections});
                                 one more is answered HTTP 503
  --max-pending-upgrades N       most sockets connected but not upgraded to WebSocket yet
                                 (default ${LISTEN_LIMIT_DEFAULTS.maxPendingUpgrades}); one more is closed at once
  --upgrade-timeout MS           close a socket that has not sent its WebSocket upgrade within MS
                                 milliseconds (default ${LISTEN_LIMIT_DEFAULTS.upgradeTimeoutMs})
  --hello-timeout MS             drop a connection that has not said the link protocol's Hello
                                 within MS milliseconds (default ${LISTEN_LIMIT_DEFAULTS.helloTimeoutMs})
  --max-objects N                most object sessions one child may have open (default ${LINK_LIMIT_DEFAULTS.maxObjects});
                                 an Open more is refused
  --max-tags N                   most tags one child may observe or expose (default ${LINK_LIMIT_DEFAULTS.maxTags}); more are ignored
  --max-descriptor-length N      most characters of object and tag keys one child may have this router
                                 hold (default ${LINK_LIMIT_DEFAULTS.maxDescriptorLength}); an Open or tag more is refused
  --opens-per-second N           close a child's link when it opens objects and tags faster than this,
                                 after a first --max-objects + --max-tags (default ${LINK_LIMIT_DEFAULTS.opensPerSecond})
  --queue-bytes N                over this many bytes queued toward a child, send it only the latest
                                 state of each object until half is left (default ${LINK_LIMIT_DEFAULTS.queueBytes})
  --max-queue-bytes N            close a child's link at this many bytes queued toward it (default ${LINK_LIMIT_DEFAULTS.maxQueueBytes})
  --max-congested MS             close a child's link over --queue-bytes for MS milliseconds (default ${LINK_LIMIT_DEFAULTS.maxCongestedMs})
  --version                      print the version
  --help                         print this text

Log lines go to stdout, warnings and errors to stderr. Lines a child or a stranger can cause (refusals,
timeouts, links made and ended) are logged one by one up to ${LOG_RATE_LIMIT_DEFAULTS.burst} of a kind per ${LOG_RATE_LIMIT_DEFAULTS.intervalMs / 1000} s, then summed
up in one line per ${LOG_RATE_LIMIT_DEFAULTS.intervalMs / 1000} s while they last. Exit codes: 0 stopped by SIGINT or SIGTERM,
1 could not start (e.g. the address is in use, a file cannot be read), 2 bad arguments.

Example: hakuban-router --bind ws://127.0.0.1:3001
         hakuban-router --bind ws://127.0.0.1:3001 --monitor-tag monitor   (then open http://127.0.0.1:3001/)
         hakuban-router --bind wss://0.0.0.0:443 --tls-cert cert.pem --tls-key key.pem --jwt-secret-file jwt.secret --policy policy.json
`;

const DEFAULT_NAME = "hakuban-router";

/**
 * Parses the router's arguments (without the `node` and script path), e.g.
 * `["--bind", "ws://127.0.0.1:3001", "--name", "edge"]`; `--option=value` works too.
 * Throws RouterOptionsError saying what is wrong.
 */
export function parseRouterArgs(argv: readonly string[]): RouterCommand {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version") return { kind: "version" };
    if (!arg.startsWith("--")) throw new RouterOptionsError(`Unexpected argument "${arg}": options start with "--".`);
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const known =
      SINGLE_OPTIONS.has(name) ||
      REPEATABLE_OPTIONS.has(name) ||
      Object.hasOwn(TRUST_FILE_OPTIONS, name) ||
      Object.hasOwn(PARENT_FILE_OPTIONS, name) ||
      Object.hasOwn(LIMIT_OPTIONS, name) ||
      Object.hasOwn(LINK_LIMIT_OPTIONS, name);
    if (!known) throw new RouterOptionsError(`Unknown option "--${name}".`);
    if (values.has(name)) throw new RouterOptionsError(`Option --${name} was given twice; give it once.`);
    let value: string | undefined;
    if (equals !== -1) value = arg.slice(equals + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new RouterOptionsError(`Option --${name} needs a value.`);
      i++;
    }
    if (REPEATABLE_OPTIONS.has(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else values.set(name, value);
  }

  const bindUrl = values.get("bind");
  if (bindUrl === undefined) throw new RouterOptionsError("Option --bind is required, e.g. --bind ws://127.0.0.1:3001.");
  const parents = repeated.get("connect");
  const connect = parents?.[0];
  const name = values.get("name") ?? DEFAULT_NAME;
  if (name.trim() === "") throw new RouterOptionsError("Option --name must not be empty.");
  const logLevel = values.get("log-level") ?? "info";
  if (!isLogLevel(logLevel)) {
    throw new RouterOptionsError(`Option --log-level must be one of ${ROUTER_LOG_LEVELS.join(", ")}; got "${logLevel}".`);
  }
  const limits: Partial<Record<Exclude<keyof RouterLimits, "linkLimits">, number>> = {};
  for (const [option, key] of Object.entries(LIMIT_OPTIONS)) {
    const value = values.get(option);
    if (value !== undefined) limits[key] = parseCount(option, value);
  }
  const linkLimits = parseLinkLimits(values);
  const monitor = parseMonitor(values);
  const cluster = parseCluster(values, connect);
  const { bind, secure } = parseBind(bindUrl);
  return {
    kind: "run",
    options: {
      bind,
      ...(parents === undefined ? {} : { connect: parents.length === 1 ? parseParentUrl(parents[0]!) : parents.map(parseParentUrl) }),
      ...cluster,
      name,
      logLevel,
      ...limits,
      ...(linkLimits === undefined ? {} : { linkLimits }),
      ...parseTrust(values, repeated, secure),
      ...parseParentTrust(values, parents),
      ...monitor,
    },
  };
}

/**
 * `--cluster`, `--cluster-lease` and `--cluster-ca-file`; RouterOptionsError for a URL that is not
 * Redis', a lease or CA without a cluster (or a CA without TLS), or a cluster with a parent.
 */
function parseCluster(values: ReadonlyMap<string, string>, connect: string | undefined): Pick<RouterOptions, "cluster" | "clusterLeaseMs" | "clusterCaFile"> {
  const text = values.get("cluster");
  const lease = values.get("cluster-lease");
  const caFile = values.get("cluster-ca-file");
  if (text === undefined) {
    for (const [option, value] of [["cluster-lease", lease], ["cluster-ca-file", caFile]] as const) {
      if (value !== undefined) throw new RouterOptionsError(`Option --${option} is for a cluster member: give --cluster redis://HOST:PORT too.`);
    }
    return {};
  }
  if (connect !== undefined) throw new RouterOptionsError("Options --cluster and --connect exclude each other: only a root router joins a cluster (the cluster is its parent).");
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "") {
    throw new RouterOptionsError(`Option --cluster takes a Redis URL, redis://HOST:PORT or rediss://HOST:PORT; got "${text}".`);
  }
  if (caFile !== undefined && url.protocol !== "rediss:") throw new RouterOptionsError("Option --cluster-ca-file verifies a Redis serving TLS, so --cluster must be rediss://HOST:PORT.");
  return {
    cluster: text,
    ...(lease === undefined ? {} : { clusterLeaseMs: parseCount("cluster-lease", lease) }),
    ...(caFile === undefined ? {} : { clusterCaFile: nonEmpty("cluster-ca-file", caFile) }),
  };
}

/** `--monitor-tag` and `--monitor-interval`; RouterOptionsError for a tag that is not one or an interval without a tag. */
function parseMonitor(values: ReadonlyMap<string, string>): RouterMonitor {
  const tag = values.get("monitor-tag");
  const interval = values.get("monitor-interval");
  if (tag === undefined) {
    if (interval !== undefined) throw new RouterOptionsError("Option --monitor-interval sets how often the monitor object is refreshed: give --monitor-tag TAG too.");
    return {};
  }
  if (tag === "") throw new RouterOptionsError('Option --monitor-tag needs a tag, e.g. --monitor-tag monitor or --monitor-tag \'{"monitor":"eu"}\'; got "".');
  let json: JsonValue;
  try {
    json = tagFromArgument(tag).json;
  } catch (error) {
    throw new RouterOptionsError(`Option --monitor-tag: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { monitorTag: json, ...(interval === undefined ? {} : { monitorIntervalMs: parseCount("monitor-interval", interval) }) };
}

/** The trust options given; RouterOptionsError when they do not go together or with the bind URL. */
function parseTrust(values: ReadonlyMap<string, string>, repeated: ReadonlyMap<string, readonly string[]>, secure: boolean): RouterTrust {
  const certFile = values.get("tls-cert");
  const keyFile = values.get("tls-key");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new RouterOptionsError(`Options --tls-cert and --tls-key go together; give ${certFile === undefined ? "--tls-cert" : "--tls-key"} too.`);
  }
  if (secure && certFile === undefined) {
    throw new RouterOptionsError("Option --bind wss:// needs --tls-cert FILE and --tls-key FILE: the certificate and key the router serves.");
  }
  if (!secure && certFile !== undefined) {
    throw new RouterOptionsError("Options --tls-cert and --tls-key serve TLS, so --bind must be wss://HOST:PORT (it is ws://).");
  }
  const trust: { -readonly [K in keyof RouterTrust]: RouterTrust[K] } = {};
  if (certFile !== undefined && keyFile !== undefined) trust.tls = { certFile: nonEmpty("tls-cert", certFile), keyFile: nonEmpty("tls-key", keyFile) };
  const allowedOrigins = repeated.get("allowed-origin");
  if (allowedOrigins !== undefined) {
    try {
      checkAllowedOrigins(allowedOrigins);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new RouterOptionsError(`Option --allowed-origin: ${error.message.replace(/^allowedOrigins: /, "")}.`);
    }
    trust.allowedOrigins = allowedOrigins;
  }
  for (const [option, key] of Object.entries(TRUST_FILE_OPTIONS)) {
    const value = values.get(option);
    if (value !== undefined) trust[key] = nonEmpty(option, value);
  }
  return trust;
}

/** `--token-file` and `--ca-file`; RouterOptionsError when there is no parent (or no wss:// one) they could be for. */
function parseParentTrust(values: ReadonlyMap<string, string>, parents: readonly string[] | undefined): RouterParentTrust {
  const parent: { -readonly [K in keyof RouterParentTrust]: RouterParentTrust[K] } = {};
  for (const [option, key] of Object.entries(PARENT_FILE_OPTIONS)) {
    const value = values.get(option);
    if (value === undefined) continue;
    if (parents === undefined) throw new RouterOptionsError(`Option --${option} is for the link to a parent: give --connect ws[s]://PARENT:PORT too.`);
    parent[key] = nonEmpty(option, value);
  }
  if (parent.caFile !== undefined && parents !== undefined && parents.some((url) => new URL(url).protocol !== "wss:")) {
    throw new RouterOptionsError("Option --ca-file verifies a parent serving TLS, so --connect must be wss://PARENT:PORT.");
  }
  return parent;
}

/** The value of a file option, which must name something. */
function nonEmpty(option: string, value: string): string {
  if (value === "") throw new RouterOptionsError(`Option --${option} needs a file name; got "".`);
  return value;
}

/** The link limits given, if any; RouterOptionsError when they do not go together. */
function parseLinkLimits(values: ReadonlyMap<string, string>): Partial<Record<LinkLimitName, number>> | undefined {
  let linkLimits: Partial<Record<LinkLimitName, number>> | undefined;
  for (const [option, key] of Object.entries(LINK_LIMIT_OPTIONS)) {
    const value = values.get(option);
    if (value !== undefined) (linkLimits ??= {})[key] = parseCount(option, value);
  }
  try {
    listenLinkLimits(linkLimits);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RouterOptionsError(`Options --max-queue-bytes and --queue-bytes: ${error.message}`);
  }
  return linkLimits;
}

/** A whole number from 1 up, written in decimal digits. */
function parseCount(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new RouterOptionsError(`Option --${option} must be a whole number from 1 up; got "${text}".`);
  }
  return value;
}

function isLogLevel(level: string): level is RouterLogLevel {
  return (ROUTER_LOG_LEVELS as readonly string[]).includes(level);
}

/** The bind URL, and whether it is wss:// (TLS, given with --tls-cert and --tls-key: the parsed options say so by their `tls`). */
function parseBind(text: string): { readonly bind: RouterBind; readonly secure: boolean } {
  const url = parseUrl("--bind", text, "listen");
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new RouterOptionsError(`Option --bind takes ws[s]://HOST:PORT[/PATH] only (no credentials, query or fragment); got "${text}".`);
  }
  const port = explicitPort(url, text);
  if (port === undefined) throw new RouterOptionsError(`Option --bind needs a port, e.g. ws://127.0.0.1:3001 (0 picks a free one); got "${text}".`);
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { bind: { host, port, ...(url.pathname === "/" ? {} : { path: url.pathname }) }, secure: url.protocol === "wss:" };
}

function parseParentUrl(text: string): string {
  parseUrl("--connect", text, "dial");
  return text;
}

/** The URL, or a RouterOptionsError saying what is wrong with it (the scheme, the port...). */
function parseUrl(option: string, text: string, use: WebSocketUrlUse): URL {
  try {
    return parseWebSocketUrl(text, use);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new RouterOptionsError(`Option ${option}: ${error.message}`);
  }
}

/** The port written in the URL (URL drops the scheme's default port, 80 for ws: and 443 for wss:, so look at the text). */
function explicitPort(url: URL, text: string): number | undefined {
  if (url.port !== "") return Number(url.port);
  const authority = text.slice(text.indexOf("//") + 2).split("/")[0] ?? "";
  const written = /:(0*(?:80|443))$/.exec(authority)?.[1];
  return written === undefined ? undefined : Number(written);
}
