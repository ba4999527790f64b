import { HakubanError } from "../errors/hakuban-error.js";
import type { JsonValue } from "../descriptor/json-value.js";
import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { tagFromArgument } from "../descriptor/tag-argument.js";
import { parseWebSocketUrl } from "../net/websocket-url.js";
import { CliOptionsError } from "./cli-options-error.js";

/** Where the parent's token comes from: given on the command line, or read from a file at each dial. */
export type CliToken = { readonly kind: "value"; readonly token: string } | { readonly kind: "file"; readonly path: string };

/** How a command links its node to the parent: the options every command takes. */
export interface CliLinkOptions {
  /** The parent's WebSocket URL (a router, or any process that listens). */
  readonly url: string;
  /** `--name`: the node's name in the parent's logs and monitor (default `hakuban-<command>`). */
  readonly name: string;
  /** `--token` or `--token-file`. */
  readonly token?: CliToken;
  /** False with `--no-retry`: the first failure to reach the parent, or the first loss, ends the command with exit code 1. */
  readonly retry: boolean;
}

/** What `hakuban observe` follows: one object, or every object of a tag. */
export type ObserveTarget = { readonly kind: "tag"; readonly tag: TagDescriptor } | { readonly kind: "object"; readonly object: ObjectDescriptor };

/** How `hakuban top` orders a node's links: by round trip, traffic in or out, bytes queued (each largest first), or name. */
export type TopSort = "rtt" | "in" | "out" | "queued" | "name";

/** The orders `--sort` accepts. */
export const TOP_SORTS: readonly TopSort[] = ["rtt", "in", "out", "queued", "name"];

/** The monitor tag `hakuban top` observes without `--tag` when the parent cannot say its own (it is not a router's port). */
export const DEFAULT_MONITOR_TAG = "hakuban-monitor";

/** `hakuban observe`: print each state as a JSON line. */
export interface ObserveCommand {
  readonly kind: "observe";
  readonly link: CliLinkOptions;
  readonly target: ObserveTarget;
}

/** `hakuban expose`: publish each JSON line of stdin as the object's state. */
export interface ExposeCommand {
  readonly kind: "expose";
  readonly link: CliLinkOptions;
  readonly object: ObjectDescriptor;
  /** `--exit-at-end`: once stdin ends and the last state was published, exit instead of exposing it on. */
  readonly exitAtEnd: boolean;
}

/** `hakuban top`: a live view of the monitor objects. */
export interface TopCommand {
  readonly kind: "top";
  readonly link: CliLinkOptions;
  /** `--tag`: the monitor tag; absent: the one the router says it publishes under (see askRouterMonitorTag). */
  readonly tag?: TagDescriptor;
  readonly sort: TopSort;
  /** `--once`: print one frame and exit. */
  readonly once: boolean;
}

/** A parsed command line: one of the commands, or print the usage or the version. */
export type CliCommand = ObserveCommand | ExposeCommand | TopCommand | { readonly kind: "help" } | { readonly kind: "version" };

/** The command-line client's usage text. */
export const CLI_USAGE = `Usage: hakuban observe URL (--tag TAG | --object JSON) [LINK OPTIONS]
       hakuban expose URL --object JSON [--exit-at-end] [LINK OPTIONS]
       hakuban top URL [--tag TAG] [--sort rtt|in|out|queued|name] [--once] [LINK OPTIONS]
       hakuban --help | --version

A hakuban node on the command line, linked to the parent at URL (e.g. ws://127.0.0.1:3001, a router).

  observe    prints each state of the object (--object) or of every object of the tag (--tag) as one
             JSON line on stdout: {"descriptor":{"tags":[...],"json":...},"version":[...],
             "synchronized":true,"data":...}; an object leaving the tag: {"descriptor":...,"removed":true}
  expose     publishes each line of stdin, a JSON value, as the object's new state (a line that is not
             JSON is reported on stderr with its number and skipped); at the end of stdin it keeps
             exposing the last state until interrupted
  top        a live view of the monitor objects routers publish (hakuban-router --monitor-tag TAG):
             per node its upstream, its links and its busiest objects, redrawn each second on a
             terminal; when stdout is not a terminal, one plain frame per second

  --tag TAG             a tag: read as JSON when it parses (e.g. '{"room":"lobby"}'), else as a string;
                        for top, the monitor tag (default: the router's --monitor-tag, which top asks
                        the router for at http://HOST:PORT/inspector.json; ${DEFAULT_MONITOR_TAG} when
                        URL is not a router's)
  --object JSON         an object's descriptor: {"tags":[TAG, ...],"json":JSON}
  --exit-at-end         expose: at the end of stdin, wait until the object is observed (so its last
                        state has been published) and exit
  --sort ORDER          top: order each node's links by rtt, in, out, queued (largest first) or name
                        (default: name)
  --once                top: print one frame, a second after the first monitor object arrived, and exit

Link options:
  --token TOKEN         the token the parent's authentication accepts (e.g. a JWT)
  --token-file FILE     the same, read from FILE at each dial (one trailing newline is ignored)
  --name NAME           this node's name in the parent's logs and monitor (default: hakuban-COMMAND)
  --no-retry            exit with code 1 when the parent cannot be reached or the link is lost,
                        instead of redialing
  --version             print the version
  --help                print this text

Connection status and errors go to stderr. Exit codes: 0 stopped by SIGINT or SIGTERM (or done: top --once,
expose --exit-at-end), 1 the parent refused the link (e.g. a bad token), or could not be reached or was
lost with --no-retry, or --token-file cannot be read, 2 bad arguments.

Example: hakuban observe ws://127.0.0.1:3001 --tag sensors
         echo '{"celsius":21.5}' | hakuban expose ws://127.0.0.1:3001 --object '{"tags":["sensors"],"json":{"id":1}}'
         hakuban top ws://127.0.0.1:3001 --sort rtt
`;

type CommandName = "observe" | "expose" | "top";

/** Options that take a value, by the commands that accept them. */
const VALUE_OPTIONS: Readonly<Record<string, readonly CommandName[]>> = {
  tag: ["observe", "top"],
  object: ["observe", "expose"],
  sort: ["top"],
  token: ["observe", "expose", "top"],
  "token-file": ["observe", "expose", "top"],
  name: ["observe", "expose", "top"],
};

/** Options that are flags, by the commands that accept them. */
const FLAG_OPTIONS: Readonly<Record<string, readonly CommandName[]>> = {
  "no-retry": ["observe", "expose", "top"],
  "exit-at-end": ["expose"],
  once: ["top"],
};

/**
 * Parses the client's arguments (without the `node` and script path), e.g.
 * `["observe", "ws://127.0.0.1:3001", "--tag", "sensors"]`; `--option=value` works too.
 * Throws CliOptionsError saying what is wrong.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };
  if (argv.includes("--version")) return { kind: "version" };
  const [command, url, ...rest] = argv;
  if (command === undefined) throw new CliOptionsError("Give a command: observe, expose or top.");
  if (!isCommandName(command)) throw new CliOptionsError(`Unknown command "${command}": use observe, expose or top.`);
  if (url === undefined || url.startsWith("--")) throw new CliOptionsError(`hakuban ${command} needs the parent's URL first, e.g. hakuban ${command} ws://127.0.0.1:3001.`);
  try {
    parseWebSocketUrl(url, "dial");
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new CliOptionsError(`URL: ${sentence(error.message)}`);
  }
  const { values, flags } = readOptions(command, rest);
  const link = parseLink(command, url, values, flags);
  if (command === "observe") return { kind: "observe", link, target: parseObserveTarget(values) };
  if (command === "expose") {
    const object = values.get("object");
    if (object === undefined) throw new CliOptionsError(`hakuban expose needs --object '{"tags":[...],"json":...}': the object it publishes.`);
    return { kind: "expose", link, object: parseObject(object), exitAtEnd: flags.has("exit-at-end") };
  }
  const tag = values.get("tag");
  return { kind: "top", link, ...(tag === undefined ? {} : { tag: parseTag(tag) }), sort: parseSort(values.get("sort") ?? "name"), once: flags.has("once") };
}

function isCommandName(name: string): name is CommandName {
  return name === "observe" || name === "expose" || name === "top";
}

/** The options after the URL, each checked against the command. */
function readOptions(command: CommandName, argv: readonly string[]): { values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new CliOptionsError(`Unexpected argument "${arg}": options start with "--" (and the URL comes once, right after the command).`);
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const commands = VALUE_OPTIONS[name] ?? FLAG_OPTIONS[name];
    if (commands === undefined) throw new CliOptionsError(`Unknown option "--${name}".`);
    if (!commands.includes(command)) throw new CliOptionsError(`Option --${name} is for hakuban ${commands.join(" and ")}, not ${command}.`);
    if (values.has(name) || flags.has(name)) throw new CliOptionsError(`Option --${name} was given twice; give it once.`);
    if (Object.hasOwn(FLAG_OPTIONS, name)) {
      if (equals !== -1) throw new CliOptionsError(`Option --${name} takes no value.`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = arg.slice(equals + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new CliOptionsError(`Option --${name} needs a value.`);
      i++;
    }
    values.set(name, value);
  }
  return { values, flags };
}

function parseLink(command: CommandName, url: string, values: ReadonlyMap<string, string>, flags: ReadonlySet<string>): CliLinkOptions {
  const token = values.get("token");
  const tokenFile = values.get("token-file");
  if (token !== undefined && tokenFile !== undefined) throw new CliOptionsError("Options --token and --token-file both give the token; give one of them.");
  if (tokenFile === "") throw new CliOptionsError('Option --token-file needs a file name; got "".');
  const name = values.get("name") ?? `hakuban-${command}`;
  if (name.trim() === "") throw new CliOptionsError("Option --name must not be empty.");
  return {
    url,
    name,
    ...(token === undefined ? {} : { token: { kind: "value", token } }),
    ...(tokenFile === undefined ? {} : { token: { kind: "file", path: tokenFile } }),
    retry: !flags.has("no-retry"),
  };
}

function parseObserveTarget(values: ReadonlyMap<string, string>): ObserveTarget {
  const tag = values.get("tag");
  const object = values.get("object");
  if (tag !== undefined && object !== undefined) throw new CliOptionsError("Options --tag and --object each say what to observe; give one of them.");
  if (tag !== undefined) return { kind: "tag", tag: parseTag(tag) };
  if (object !== undefined) return { kind: "object", object: parseObject(object) };
  throw new CliOptionsError(`hakuban observe needs --tag TAG or --object '{"tags":[...],"json":...}': what to observe.`);
}

function parseTag(text: string): TagDescriptor {
  try {
    return tagFromArgument(text);
  } catch (error) {
    if (!(error instanceof HakubanError)) throw error;
    throw new CliOptionsError(`Option --tag: ${sentence(error.message)}`);
  }
}

function parseObject(text: string): ObjectDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliOptionsError(`Option --object must be JSON, {"tags":[...],"json":...}; ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Array.isArray((parsed as { tags?: unknown }).tags) || !Object.hasOwn(parsed, "json")) {
    throw new CliOptionsError(`Option --object must be {"tags":[TAG, ...],"json":JSON}; got ${text}.`);
  }
  const { tags, json } = parsed as { tags: JsonValue[]; json: JsonValue };
  try {
    return new ObjectDescriptor(tags, json);
  } catch (error) {
    if (!(error instanceof HakubanError)) throw error;
    throw new CliOptionsError(`Option --object: ${sentence(error.message)}`);
  }
}

function parseSort(text: string): TopSort {
  const sort = TOP_SORTS.find((each) => each === text);
  if (sort === undefined) throw new CliOptionsError(`Option --sort must be one of ${TOP_SORTS.join(", ")}; got "${text}".`);
  return sort;
}

/** `text` ending with a full stop. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
