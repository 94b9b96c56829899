import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { describeIssue, type LoadedConfig } from "../config.ts";
import { InputError } from "../errors.ts";
import type { Rule } from "../rules/define.ts";
import { RULES_BY_ID } from "../rules/index.ts";
import { loadCatalog, type Catalog } from "./index.ts";
import { SqlRuleSpec, sqlRule } from "./sql-rule.ts";

/** The catalog a workspace evaluates: the package's plus its own controls, rules and scope. */
export interface WorkspaceCatalog {
  catalog: Catalog;
  /** Package rules and the workspace's SQL rules, by id. */
  rules: ReadonlyMap<string, Rule>;
  /** Workspace catalog files read, relative to the workspace, for the manifest and the build id. */
  files: { path: string; sha256: string; size: number }[];
}

const DEFAULT_CONTROLS_DIR = "controls";
const DEFAULT_RULES_DIR = "rules";

/** Files in a folder (sorted, so the order of loading is stable); an explicit folder must exist. */
function listFolder(root: string, rel: string | undefined, fallback: string, extensions: RegExp): { abs: string; rel: string }[] {
  const dir = path.resolve(root, rel ?? fallback);
  if (!existsSync(dir)) {
    if (rel !== undefined) throw new InputError(`catalog: folder "${rel}" not found next to the config`, dir);
    return [];
  }
  if (!statSync(dir).isDirectory()) throw new InputError(`catalog: "${rel ?? fallback}" is not a folder`, dir);
  return readdirSync(dir)
    .filter((f) => extensions.test(f))
    .sort()
    .map((f) => ({ abs: path.join(dir, f), rel: path.relative(root, path.join(dir, f)).split(path.sep).join("/") }));
}

function parseRuleFile(abs: string, rel: string): SqlRuleSpec {
  let raw: unknown;
  try {
    const text = readFileSync(abs, "utf8");
    raw = rel.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InputError(`${rel}: not valid ${rel.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`, abs);
  }
  const result = SqlRuleSpec.safeParse(raw);
  if (!result.success) throw new InputError(describeIssue(rel, result.error), abs);
  return result.data;
}

export function loadWorkspaceCatalog(loaded: LoadedConfig): WorkspaceCatalog {
  const { config, root } = loaded;
  const settings = config.catalog;
  const rules = new Map<string, Rule>(RULES_BY_ID);
  const ruleFiles = listFolder(root, settings.rules, DEFAULT_RULES_DIR, /\.(ya?ml|json)$/i);
  for (const { abs, rel } of ruleFiles) {
    const spec = parseRuleFile(abs, rel);
    if (rules.has(spec.id)) throw new InputError(`${rel}: id: rule "${spec.id}" already exists${RULES_BY_ID.has(spec.id) ? " in the package" : ""}`, abs);
    rules.set(spec.id, sqlRule(spec));
  }
  const controlFiles = listFolder(root, settings.controls, DEFAULT_CONTROLS_DIR, /\.json$/i);
  const catalog = loadCatalog(config.report.frameworks, undefined, { files: controlFiles, scope: settings.scope });
  for (const c of catalog.controls) {
    for (const r of c.rules) if (!rules.has(r)) throw new InputError(`${c.origin === "package" ? "controls" : c.origin}: control ${c.id} names unknown rule "${r}"`);
  }
  const files = [...controlFiles, ...ruleFiles].map(({ abs, rel }) => {
    const bytes = readFileSync(abs);
    return { path: rel, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  });
  return { catalog, rules, files };
}
