import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./helpers/workspace.ts";

/**
 * The direction of imports between the top-level parts of src/ (a folder, or a file directly in
 * src/), stated as data. Roughly: cli → commands → check → report → history → evaluate → catalog →
 * rules → the domain libraries (changes, iam, cloudtrail, registers, git) → store, with ingest beside
 * them feeding the store: ingest never imports a layer above it, and nothing but commands imports
 * ingest. Leaves (FOUNDATION, and text, classify, redact) import no layer above: the record types
 * several layers share (event, evidence-ref, policy-statement) and data several layers read
 * (frequency, keep-rules, correlate-windows) live there. Every import counts: static, dynamic,
 * re-exports and `import type` alike (a type-only import still ties the layers' designs together).
 */
const FOUNDATION = [
  "correlate-windows", "errors", "event", "evidence-ref", "frequency", "keep-rules", "period", "policy-statement", "progress",
  "repository-locations", "version", "visible-text",
];
const ALLOWED: Record<string, string[]> = {
  cli: ["commands", ...FOUNDATION],
  commands: ["catalog", "changes", "check", "config", "evaluate", "history", "ingest", "pushdown", "redact", "registers", "report", "rules", "store", "tabletop", ...FOUNDATION],
  check: ["catalog", "config", "evaluate", "history", "report", "rules", "store", ...FOUNDATION],
  report: ["catalog", "changes", "cloudtrail", "config", "correlate", "evaluate", "history", "iam", "registers", "rules", "store", "text", ...FOUNDATION],
  // The tabletop reads rule runs and IAM grants and renders with the report's PDF toolkit.
  tabletop: ["evaluate", "iam", "report", "rules", "store", ...FOUNDATION],
  history: ["evaluate", "store", ...FOUNDATION],
  evaluate: ["catalog", "config", "correlate", "registers", "rules", "store", ...FOUNDATION],
  correlate: ["store", ...FOUNDATION],
  catalog: ["config", "rules", "store", ...FOUNDATION],
  rules: ["changes", "cloudtrail", "config", "iam", "registers", "store", "text", ...FOUNDATION],
  changes: ["classify", "config", "git", "store", "text", ...FOUNDATION],
  git: ["redact", ...FOUNDATION],
  iam: ["config", "store", ...FOUNDATION],
  cloudtrail: ["store", ...FOUNDATION],
  registers: ["config", "store", ...FOUNDATION],
  pushdown: ["config", "iam", ...FOUNDATION],
  ingest: ["classify", "cloudtrail", "config", "git", "iam", "pushdown", "redact", "store", "text", ...FOUNDATION],
  store: [...FOUNDATION],
  config: ["redact", ...FOUNDATION],
  classify: [...FOUNDATION],
  redact: [...FOUNDATION],
  text: [...FOUNDATION],
  errors: [],
  event: [],
  "evidence-ref": [],
  frequency: [],
  // Data: the storage keep rules the config schema, the summariser and the pushdown SQL share.
  "keep-rules": [],
  "policy-statement": [],
  "repository-locations": ["evidence-ref"],
  period: ["errors"],
  progress: ["visible-text"],
  version: [],
  "visible-text": [],
  // Data: the correlation windows correlate.ts and the boundary and logging rules share.
  "correlate-windows": [],
};

/** Data files directly in src/ that only one part reads, and so belong to it. */
const DATA_OWNERS: Record<string, string> = {
  "change-defaults.json": "config",
  "correlate-aws-cli.json": "correlate",
};

/**
 * The part of src/ a file belongs to: its top-level folder, or, for a file directly in src/, its
 * owner in DATA_OWNERS or its own name without the extension (`keep-rules.ts` and `keep-rules.json`
 * are one part).
 */
function partOf(rel: string): string {
  const [first, second] = rel.split("/");
  if (second !== undefined) return first!;
  return DATA_OWNERS[first!] ?? first!.replace(/\.(ts|json)$/, "");
}

/** Every relative import in a TypeScript source: static, dynamic, `import type` and `export … from`. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']/g)) specs.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith("."));
}

/** Each import from one part of src/ to another, as `file -> imported file` (relative to src/), sorted. */
function crossPartImports(): { from: string; to: string; edge: string }[] {
  const src = path.join(REPO_ROOT, "src");
  const found = new Map<string, { from: string; to: string; edge: string }>();
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const rel = path.relative(src, file).split(path.sep).join("/");
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep).join("/");
      if (target.startsWith("..")) continue;
      const from = partOf(rel);
      const to = partOf(target);
      if (from === to) continue;
      const edge = `${rel} -> ${target}`;
      found.set(edge, { from, to, edge });
    }
  }
  return [...found.values()].sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0));
}

/**
 * The groups of nodes that reach each other (strongly connected components of more than one
 * node, Tarjan's algorithm): every cycle in the graph lies inside one of them. Each group sorted,
 * groups sorted by their first node; a node's edge to itself is not a cycle between parts.
 */
export function cycles(graph: Readonly<Record<string, Iterable<string>>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph[v] ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const v of Object.keys(graph).sort()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

test("imports between the parts of src/ follow the allowed direction", () => {
  const imports = crossPartImports();
  for (const i of imports) assert.ok(ALLOWED[i.from], `src/${i.edge}: the part "${i.from}" has no entry in ALLOWED; add it with the parts it may import`);
  assert.deepEqual(
    imports.filter((i) => !ALLOWED[i.from]!.includes(i.to)).map((i) => `${i.edge} (${i.from} may import: ${ALLOWED[i.from]!.join(", ")})`),
    [],
    "an import against the layers: move what is shared to the layer that owns it (a type beside event.ts, a rule helper into rules/lib/, data into the lowest part that reads it); do not re-export it from a higher layer",
  );
});

test("no two parts of src/ import each other, directly or through others, and the stated direction has no cycle either", () => {
  const imports = crossPartImports();
  const graph: Record<string, Set<string>> = {};
  for (const i of imports) (graph[i.from] ??= new Set()).add(i.to);
  const found = cycles(graph).map((group) => ({
    parts: group.join(", "),
    imports: imports.filter((i) => group.includes(i.from) && group.includes(i.to)).map((i) => i.edge),
  }));
  assert.deepEqual(found, [], "parts of src/ that import each other (a cycle): move what they share below both");
  assert.deepEqual(cycles(ALLOWED), [], "ALLOWED lets these parts import each other: it must state one direction");
});

test("the cycle finder finds every cycle between parts and nothing else", () => {
  const graph = {
    cli: ["commands"],
    commands: ["report", "ingest"],
    report: ["rules", "history"],
    history: ["check"],
    check: ["report"],
    rules: ["changes", "store"],
    changes: ["rules", "store"],
    ingest: ["store", "ingest"],
    store: [],
  };
  assert.deepEqual(cycles(graph), [["changes", "rules"], ["check", "history", "report"]]);
  assert.deepEqual(cycles({ a: ["b"], b: ["c"], c: [], d: ["a", "c"] }), []);
  // A part only named as a target, and a self-import, are not cycles.
  assert.deepEqual(cycles({ a: ["a", "x"] }), []);
});

test("the import scanner sees static, type-only, re-exported and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b/b.ts";',
    'import data from "./d.json" with { type: "json" };',
    'export { c } from "./c.ts";',
    'export type { E } from "./e.ts";',
    "const m = await import(\"./m.ts\");",
    'import yargs from "yargs";',
    "import {\n  x,\n  type Y,\n} from \"./multi.ts\";",
  ].join("\n");
  assert.deepEqual(importsOf(source).sort(), ["../b/b.ts", "./a.ts", "./c.ts", "./d.json", "./e.ts", "./m.ts", "./multi.ts"]);
});
