/**
 * Renders a global protocol as a Mermaid sequence diagram (text): messages as arrows, par lanes as
 * `par`/`and`, routes as `alt`/`else` (one block per arm, named by its first labels), loops as `loop`.
 */
import type { GlobalNode } from "./global.js";
import { walk } from "./protocol-catalog.js";

function firstLabels(node: GlobalNode): string[] {
  switch (node.kind) {
    case "send":
      return [node.message.label];
    case "seq": {
      const out: string[] = [];
      for (const step of node.steps) {
        out.push(...firstLabels(step));
        if (step.kind !== "loop") break;
      }
      return out;
    }
    case "route":
      return node.arms.flatMap(firstLabels);
    case "loop":
      return firstLabels(node.body);
    case "par":
      return [];
  }
}

/** The diagram's text; participants appear in order of first mention. */
export function mermaid(global: GlobalNode): string {
  const roles = new Set<string>();
  walk(global, (n) => {
    if (n.kind === "send") roles.add(n.from).add(n.to);
    else if (n.kind === "route" || n.kind === "loop") roles.add(n.controller);
  });
  const lines = ["sequenceDiagram", ...[...roles].map((r) => `  participant ${r}`)];
  const emit = (node: GlobalNode, depth: number): void => {
    const pad = "  ".repeat(depth);
    switch (node.kind) {
      case "send": {
        const opens = node.message.opens === undefined ? "" : ` (opens ${node.message.opens.name})`;
        lines.push(`${pad}${node.from}->>${node.to}: ${node.message.label}${opens}`);
        return;
      }
      case "seq":
        for (const step of node.steps) emit(step, depth);
        return;
      case "par":
        node.lanes.forEach((lane, i) => {
          const name = node.names[i];
          lines.push(`${pad}${i === 0 ? "par" : "and"}${name === undefined ? "" : ` ${name}`}`);
          emit(lane, depth + 1);
        });
        lines.push(`${pad}end`);
        return;
      case "route":
        node.arms.forEach((arm, i) => {
          lines.push(`${pad}${i === 0 ? "alt" : "else"} ${node.controller}: ${firstLabels(arm).join(" | ")}`);
          emit(arm, depth + 1);
        });
        lines.push(`${pad}end`);
        return;
      case "loop":
        lines.push(`${pad}loop ${node.controller} repeats`);
        emit(node.body, depth + 1);
        lines.push(`${pad}end`);
        return;
    }
  };
  emit(global, 1);
  return lines.join("\n") + "\n";
}
