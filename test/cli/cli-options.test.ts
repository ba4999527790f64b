import { describe, expect, it } from "vitest";
import { CliOptionsError } from "../../lib/cli/cli-options-error.js";
import { parseCliArgs } from "../../lib/cli/cli-options.js";

const URL = "ws://127.0.0.1:3001";

/** The message of the CliOptionsError parsing `argv` throws. */
function problem(...argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliOptionsError);
    expect((error as CliOptionsError).code).toBe("CLI_OPTIONS");
    return (error as CliOptionsError).message;
  }
  throw new Error(`parsed: ${argv.join(" ")}`);
}

describe("hakuban's command line", () => {
  it("parses observe with a tag (JSON when it parses, else a string) or an object, and the link options", () => {
    const byTag = parseCliArgs(["observe", URL, "--tag", "sensors", "--token", "t0k", "--name", "shell", "--no-retry"]);
    expect(byTag).toMatchObject({ kind: "observe", link: { url: URL, name: "shell", token: { kind: "value", token: "t0k" }, retry: false } });
    expect(byTag.kind === "observe" && byTag.target.kind === "tag" && byTag.target.tag.json).toBe("sensors");

    const byJsonTag = parseCliArgs(["observe", URL, '--tag={"room":"lobby"}']);
    expect(byJsonTag.kind === "observe" && byJsonTag.target.kind === "tag" && byJsonTag.target.tag.json).toEqual({ room: "lobby" });
    expect(byJsonTag).toMatchObject({ link: { name: "hakuban-observe", retry: true } });
    expect(byJsonTag.kind === "observe" && byJsonTag.link.token).toBeUndefined();

    const byObject = parseCliArgs(["observe", URL, "--object", '{"tags":["b","a"],"json":{"id":1}}', "--token-file", "token.jwt"]);
    expect(byObject).toMatchObject({ kind: "observe", link: { token: { kind: "file", path: "token.jwt" } } });
    expect(byObject.kind === "observe" && byObject.target.kind === "object" && byObject.target.object.key).toBe('[["a","b"],{"id":1}]');
  });

  it("parses expose and top with their own options and defaults", () => {
    expect(parseCliArgs(["expose", URL, "--object", '{"tags":[],"json":"x"}'])).toMatchObject({ kind: "expose", exitAtEnd: false, link: { name: "hakuban-expose" } });
    expect(parseCliArgs(["expose", URL, "--object", '{"tags":[],"json":"x"}', "--exit-at-end"])).toMatchObject({ exitAtEnd: true });

    const top = parseCliArgs(["top", URL]);
    expect(top).toMatchObject({ kind: "top", sort: "name", once: false, link: { name: "hakuban-top" } });
    expect(top.kind === "top" && top.tag).toBeUndefined();
    const sorted = parseCliArgs(["top", URL, "--tag", '{"monitor":1}', "--sort", "rtt", "--once"]);
    expect(sorted).toMatchObject({ kind: "top", sort: "rtt", once: true });
    expect(sorted.kind === "top" && sorted.tag?.json).toEqual({ monitor: 1 });
  });

  it("answers --help and --version wherever they are", () => {
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["observe", URL, "-h"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["--version"])).toEqual({ kind: "version" });
    expect(parseCliArgs(["top", "--version"])).toEqual({ kind: "version" });
  });

  it("refuses what it cannot understand, saying what to fix", () => {
    expect(problem()).toMatch(/Give a command: observe, expose or top/);
    expect(problem("watch", URL)).toMatch(/Unknown command "watch"/);
    expect(problem("observe")).toMatch(/needs the parent's URL first/);
    expect(problem("observe", "--tag", "x")).toMatch(/needs the parent's URL first/);
    expect(problem("observe", "http://127.0.0.1:3001", "--tag", "x")).toMatch(/^URL: .*use ws:\/\//);
    expect(problem("observe", URL)).toMatch(/needs --tag TAG or --object/);
    expect(problem("observe", URL, "--tag", "a", "--object", '{"tags":[],"json":1}')).toMatch(/give one of them/);
    expect(problem("observe", URL, "--tag")).toMatch(/--tag needs a value/);
    expect(problem("observe", URL, "--tag", "a", "--tag", "b")).toMatch(/given twice/);
    expect(problem("top", URL, "--once", "--once")).toMatch(/--once was given twice/);
    expect(problem("observe", URL, "--tag", "--no-retry")).toMatch(/--tag needs a value/);
    expect(problem("observe", URL, "--tag", "a", "extra")).toMatch(/Unexpected argument "extra"/);
    expect(problem("observe", URL, "--colour", "red")).toMatch(/Unknown option "--colour"/);
    expect(problem("observe", URL, "--tag", "a", "--once")).toMatch(/--once is for hakuban top, not observe/);
    expect(problem("top", URL, "--object", '{"tags":[],"json":1}')).toMatch(/--object is for hakuban observe and expose, not top/);
    expect(problem("top", URL, "--once=yes")).toMatch(/--once takes no value/);
    expect(problem("top", URL, "--sort", "cpu")).toMatch(/--sort must be one of rtt, in, out, queued, name; got "cpu"/);
    expect(problem("expose", URL)).toMatch(/hakuban expose needs --object/);
    expect(problem("expose", URL, "--object", "{")).toMatch(/--object must be JSON/);
    expect(problem("expose", URL, "--object", '{"json":1}')).toMatch(/--object must be \{"tags":\[TAG, \.\.\.\],"json":JSON\}/);
    expect(problem("expose", URL, "--object", '{"tags":[]}')).toMatch(/--object must be \{"tags"/);
    expect(problem("expose", URL, "--object", '[{"tags":[],"json":1}]')).toMatch(/--object must be \{"tags"/);
    expect(problem("expose", URL, "--object", JSON.stringify({ tags: Array.from({ length: 65 }, (_, i) => i), json: 1 }))).toMatch(/^Option --object: Invalid object descriptor/);
    expect(problem("observe", URL, "--tag", "a", "--token", "x", "--token-file", "f")).toMatch(/--token and --token-file both give the token/);
    expect(problem("observe", URL, "--tag", "a", "--token-file=")).toMatch(/--token-file needs a file name/);
    expect(problem("observe", URL, "--tag", "a", "--name", " ")).toMatch(/--name must not be empty/);
  });
});
