import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./helpers/workspace.ts";

/**
 * The direction of imports between the top-level parts of src/ (a folder, or a file directly in
 * src/), stated as data. Roughly: cli → commands → check → report → history → evaluate → catalog →
 * rules → the domain libraries (changes, iam, cloudtrail, registers) → store, with ingest beside them
 * feeding the store: ingest never imports a layer above it, and nothing but commands imports ingest.
 * Leaves (errors, event, period, progress, version, text, classify, redact) import no layer above.
 * Every import counts: static, dynamic, re-exports and `import type` alike (a type-only import still
 * ties the layers' designs together).
 */
const FOUNDATION = ["errors", "event", "evidence-ref", "frequency", "keep-rules", "policy-statement", "repository-locations", "period", "progress", "version", "visible-text", "correlate-windows"];
const ALLOWED: Record<string, string[]> = {
  cli: ["commands", ...FOUNDATION],
  commands: ["catalog", "changes", "check", "config", "evaluate", "history", "ingest", "pushdown", "redact", "registers", "report", "rules", "store", ...FOUNDATION],
  check: ["catalog", "config", "evaluate", "history", "report", "rules", "store", ...FOUNDATION],
  report: ["catalog", "changes", "cloudtrail", "config", "correlate", "evaluate", "history", "iam", "registers", "rules", "store", "text", ...FOUNDATION],
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

/**
 * Imports against the direction that were there when this test was written, file → imported file,
 * each to be removed by moving what is shared to the layer that owns it. Any other backward import
 * fails the test, and so does an entry here that is no longer needed.
 */
const KNOWN_EXCEPTIONS: Record<string, string> = {
  // Types and helpers that belong to a lower layer but live in a higher one.
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

function backwardImports(): string[] {
  const src = path.join(REPO_ROOT, "src");
  const found: string[] = [];
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
      const allowed = ALLOWED[from];
      assert.ok(allowed, `src/${rel}: the part "${from}" has no entry in ALLOWED; add it with the parts it may import`);
      if (!allowed.includes(to)) found.push(`${rel} -> ${target}`);
    }
  }
  return [...new Set(found)].sort();
}

test("imports between the parts of src/ follow the allowed direction; the known exceptions are exactly those still present", () => {
  const backward = backwardImports();
  const known = new Set(Object.keys(KNOWN_EXCEPTIONS));
  assert.deepEqual(
    backward.filter((b) => !known.has(b)),
    [],
    "a new import against the layers: move what is shared to the layer that owns it (see ALLOWED)",
  );
  assert.deepEqual(
    [...known].filter((k) => !backward.includes(k)),
    [],
    "an exception that is gone: remove it from KNOWN_EXCEPTIONS",
  );
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
