/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it throws on any
 * line it cannot read, on a sample of a family without HELP and TYPE, on HELP or TYPE given twice or
 * after the family's samples, and on a series given twice.
 */

/** One metric family: its HELP, its TYPE and its samples. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "summary" | "histogram" | "untyped";
  readonly samples: Sample[];
}

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const TYPES = new Set(["counter", "gauge", "summary", "histogram", "untyped"]);
/** Sample names a family of each type may have besides its own name. */
const SUFFIXES: Readonly<Record<MetricFamily["type"], readonly string[]>> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  summary: ["", "_sum", "_count"],
  histogram: ["_bucket", "_sum", "_count"],
};

/** Reads `text`, returning its families by name; throws an Error naming the line it could not accept. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, { name: string; help?: string; type?: MetricFamily["type"]; samples: Sample[] }>();
  const series = new Set<string>();
  const family = (name: string) => {
    let found = families.get(name);
    if (found === undefined) families.set(name, (found = { name, samples: [] }));
    return found;
  };
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1} ${JSON.stringify(line)}: ${why}`);
    };
    if (line.trim() === "") return;
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    if (help !== null) {
      const named = family(help[1]!);
      if (named.help !== undefined) fail("a second HELP");
      if (named.samples.length > 0) fail("HELP after the family's samples");
      named.help = help[2]!;
      return;
    }
    const type = new RegExp(`^# TYPE (${NAME}) (\\w+)$`).exec(line);
    if (type !== null) {
      const named = family(type[1]!);
      if (named.type !== undefined) fail("a second TYPE");
      if (named.samples.length > 0) fail("TYPE after the family's samples");
      if (!TYPES.has(type[2]!)) fail(`unknown type ${type[2]}`);
      named.type = type[2] as MetricFamily["type"];
      return;
    }
    if (line.startsWith("#")) fail("a comment that is neither HELP nor TYPE");
    const sample = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`).exec(line);
    if (sample === null) fail("not a sample line");
    const [, name, labelText, valueText] = sample!;
    const labels = parseLabels(labelText ?? "", fail);
    const value = parseValue(valueText!, fail);
    const owner = [...families.values()].find(
      (candidate) => candidate.type !== undefined && SUFFIXES[candidate.type].some((suffix) => candidate.name + suffix === name),
    );
    if (owner === undefined) fail(`sample of ${name}, which no TYPE declared`);
    if (owner!.help === undefined) fail(`sample of ${owner!.name}, which has no HELP`);
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([label, labelValue]) => `${label}=${JSON.stringify(labelValue)}`)
      .join(",")}}`;
    if (series.has(key)) fail(`the series ${key} a second time`);
    series.add(key);
    owner!.samples.push({ name: name!, labels, value });
  });
  for (const named of families.values()) {
    if (named.help === undefined || named.type === undefined) throw new Error(`${named.name} lacks its ${named.help === undefined ? "HELP" : "TYPE"}`);
  }
  return families as Map<string, MetricFamily>;
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
  while (label.lastIndex < text.length) {
    const match = label.exec(text);
    if (match === null) fail(`unreadable labels ${JSON.stringify(text)}`);
    const [, name, escaped] = match!;
    if (Object.hasOwn(labels, name!)) fail(`label ${name} twice`);
    labels[name!] = escaped!.replace(/\\(["\\n])/g, (_, char: string) => (char === "n" ? "\n" : char));
  }
  return labels;
}

/** A sample's value; NaN and infinities are read regardless of case, as Prometheus reads them (Go's ParseFloat). */
function parseValue(text: string, fail: (why: string) => never): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^\+inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) fail(`not a value: ${text}`);
  return Number(text);
}

/** The value of the family's one sample without labels; throws when there is none. */
export function valueOf(families: ReadonlyMap<string, MetricFamily>, name: string): number {
  const sample = families.get(name)?.samples.find((each) => each.name === name && Object.keys(each.labels).length === 0);
  if (sample === undefined) throw new Error(`no sample of ${name}`);
  return sample.value;
}
