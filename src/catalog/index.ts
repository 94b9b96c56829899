import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { InputError } from "../errors.ts";
import { describeIssue } from "../config.ts";
import { ControlMappings, Crosswalk, Framework, type Control, type NotInScope } from "./schema.ts";

export const PACKAGE_CONTROLS_DIR = fileURLToPath(new URL("../../controls/", import.meta.url));
export const FRAMEWORK_FILES = ["soc2.json", "iso27001.json", "owasp-agentic.json"] as const;

export interface CatalogControl extends Control {
  framework: string;
  frameworkName: string;
  /** Related controls in the other framework (from the crosswalk). */
  related: string[];
  /** Where the control (or its last mapping) was defined: the package or a workspace file. */
  origin: string;
}

/** A criterion outside this tool's subject, with the framework it belongs to. */
export interface CatalogNotInScope extends NotInScope {
  framework: string;
  frameworkName: string;
}

export interface Catalog {
  frameworks: Framework[];
  /** Controls in scope. */
  controls: CatalogControl[];
  /** rule id -> in-scope control ids it tests. */
  controlsByRule: Map<string, string[]>;
  /** Every control id known before the scope was applied (acceptances may name any of them). */
  allControlIds: Set<string>;
  /** Ids removed by `catalog.scope`, listed so the report can say what was left out. */
  outOfScope: string[];
  /**
   * Criteria of the loaded frameworks that this tool does not test at all (the frameworks'
   * `notInScope` lists), each with its reason, so the report can print what the package does not
   * cover. Unlike `outOfScope`, the workspace did not choose these: the catalog never held them.
   */
  /** Optional only so that catalogs built by hand elsewhere keep compiling; `loadCatalog` always sets it. */
  notInScope?: CatalogNotInScope[];
}

/** Workspace additions: extra JSON files (frameworks, rule mappings, crosswalk pairs) and a scope. */
export interface WorkspaceAdditions {
  /** Absolute path and the name to use in messages. */
  files?: { abs: string; rel: string }[];
  scope?: string[] | undefined;
}

function readJson(file: string, shown = file): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`${shown}: ${(error as Error).message}`, file);
  }
}

export function loadFramework(file: string, shown = file): Framework {
  const result = Framework.safeParse(readJson(file, shown));
  if (!result.success) throw new InputError(describeIssue(shown, result.error), file);
  return result.data;
}

function parseCrosswalk(file: string, shown: string, raw: unknown): Crosswalk {
  const crosswalk = Crosswalk.safeParse(raw);
  if (!crosswalk.success) throw new InputError(describeIssue(shown, crosswalk.error), file);
  return crosswalk.data;
}

/**
 * Loads the package's frameworks (restricted to `frameworks`) and the crosswalk, then the
 * workspace's own files: a framework file adds a framework (or more controls to a package one),
 * a `mappings` file adds rules or full text to existing controls, a `pairs` file adds crosswalk
 * pairs. `scope` finally keeps only the named controls. Everything is validated.
 */
export function loadCatalog(frameworks: readonly string[], dir = PACKAGE_CONTROLS_DIR, workspace: WorkspaceAdditions = {}): Catalog {
  const loaded = FRAMEWORK_FILES.map((f) => loadFramework(path.join(dir, f))).filter((f) => frameworks.includes(f.framework));
  const crosswalkFile = path.join(dir, "crosswalk.json");
  const pairs = [...parseCrosswalk(crosswalkFile, crosswalkFile, readJson(crosswalkFile)).pairs];
  const controls: CatalogControl[] = [];
  const byId = new Map<string, CatalogControl>();
  const add = (fw: Framework, control: Control, origin: string) => {
    if (byId.has(control.id)) throw new InputError(`${origin}: duplicate control id ${control.id} (already in ${byId.get(control.id)!.origin})`);
    const c: CatalogControl = { ...control, framework: fw.framework, frameworkName: fw.name, related: [], origin };
    byId.set(c.id, c);
    controls.push(c);
  };
  const notInScope: CatalogNotInScope[] = [];
  const addNotInScope = (fw: Framework, shown: string) => {
    const own = new Set(fw.controls.map((c) => c.id));
    for (const entry of fw.notInScope ?? []) {
      if (own.has(entry.id)) throw new InputError(`${shown}: ${entry.id} is both a control and listed under notInScope`);
      const seen = notInScope.find((n) => n.id === entry.id);
      if (seen) throw new InputError(`${shown}: notInScope lists ${entry.id} twice (already in ${seen.framework})`);
      notInScope.push({ ...entry, framework: fw.framework, frameworkName: fw.name });
    }
  };
  for (const fw of loaded) {
    for (const control of fw.controls) add(fw, control, "package");
    addNotInScope(fw, path.join(dir, `${fw.framework}.json`));
  }

  const mappings: { file: string; mapping: ControlMappings["mappings"][number] }[] = [];
  for (const { abs, rel } of workspace.files ?? []) {
    const raw = readJson(abs, rel);
    if (raw && typeof raw === "object" && "mappings" in raw) {
      const parsed = ControlMappings.safeParse(raw);
      if (!parsed.success) throw new InputError(describeIssue(rel, parsed.error), abs);
      mappings.push(...parsed.data.mappings.map((mapping) => ({ file: rel, mapping })));
    } else if (raw && typeof raw === "object" && "pairs" in raw) {
      pairs.push(...parseCrosswalk(abs, rel, raw).pairs);
    } else {
      const fw = loadFramework(abs, rel);
      // A package framework left out by report.frameworks stays out, even if the workspace extends it.
      if (FRAMEWORK_FILES.some((f) => f.replace(".json", "") === fw.framework) && !frameworks.includes(fw.framework)) continue;
      const existing = loaded.find((f) => f.framework === fw.framework);
      if (existing) existing.controls.push(...fw.controls);
      else loaded.push(fw);
      for (const control of fw.controls) add(existing ?? fw, control, rel);
      addNotInScope({ ...fw, name: (existing ?? fw).name }, rel);
    }
  }
  for (const { file, mapping } of mappings) {
    const control = byId.get(mapping.control);
    if (!control) throw new InputError(`${file}: mappings: unknown control "${mapping.control}"`);
    control.rules = [...new Set([...control.rules, ...mapping.rules])];
    if (mapping.text) control.text = mapping.text;
    control.origin = file;
  }
  const related = (id: string) => [...new Set(pairs.flatMap((p) => (p.soc2 === id ? [p.iso27001] : p.iso27001 === id ? [p.soc2] : [])))].sort();
  for (const c of controls) c.related = related(c.id);

  const allControlIds = new Set(byId.keys());
  let inScope = controls;
  let outOfScope: string[] = [];
  if (workspace.scope) {
    const excluded = workspace.scope.map((id) => notInScope.find((n) => n.id === id && !allControlIds.has(id))).filter((n) => n !== undefined);
    if (excluded.length) {
      throw new InputError(`catalog.scope: ${excluded.map((n) => `"${n.id}" is not tested by this tool (${n.reason})`).join("; ")} Define it as a workspace control to take it into scope.`);
    }
    const unknown = workspace.scope.filter((id) => !allControlIds.has(id));
    if (unknown.length) throw new InputError(`catalog.scope: unknown control${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}`);
    inScope = controls.filter((c) => workspace.scope!.includes(c.id));
    outOfScope = controls.filter((c) => !workspace.scope!.includes(c.id)).map((c) => c.id);
  }
  const controlsByRule = new Map<string, string[]>();
  for (const c of inScope) for (const r of c.rules) controlsByRule.set(r, [...(controlsByRule.get(r) ?? []), c.id]);
  return {
    frameworks: loaded.filter((f) => inScope.some((c) => c.framework === f.framework)), controls: inScope, controlsByRule, allControlIds, outOfScope,
    // A workspace control may take a listed criterion into scope: then it is a control, not a gap.
    notInScope: notInScope.filter((n) => !allControlIds.has(n.id)),
  };
}
