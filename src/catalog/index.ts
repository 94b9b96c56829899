import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { InputError } from "../errors.ts";
import { describeIssue } from "../config.ts";
import { Crosswalk, Framework, type Control } from "./schema.ts";

export const PACKAGE_CONTROLS_DIR = fileURLToPath(new URL("../../controls/", import.meta.url));
export const FRAMEWORK_FILES = ["soc2.json", "iso27001.json"] as const;

export interface CatalogControl extends Control {
  framework: string;
  frameworkName: string;
  /** Related controls in the other framework (from the crosswalk). */
  related: string[];
}

export interface Catalog {
  frameworks: Framework[];
  controls: CatalogControl[];
  /** rule id -> control ids it tests. */
  controlsByRule: Map<string, string[]>;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`, file);
  }
}

export function loadFramework(file: string): Framework {
  const result = Framework.safeParse(readJson(file));
  if (!result.success) throw new InputError(describeIssue(file, result.error), file);
  return result.data;
}

/** Loads the package's frameworks (restricted to `frameworks`) and the crosswalk, validating both. */
export function loadCatalog(frameworks: readonly string[], dir = PACKAGE_CONTROLS_DIR): Catalog {
  const loaded = FRAMEWORK_FILES.map((f) => loadFramework(path.join(dir, f))).filter((f) => frameworks.includes(f.framework));
  const crosswalkFile = path.join(dir, "crosswalk.json");
  const crosswalk = Crosswalk.safeParse(readJson(crosswalkFile));
  if (!crosswalk.success) throw new InputError(describeIssue(crosswalkFile, crosswalk.error), crosswalkFile);
  const related = (id: string) =>
    crosswalk.data.pairs.flatMap((p) => (p.soc2 === id ? [p.iso27001] : p.iso27001 === id ? [p.soc2] : [])).sort();
  const controls: CatalogControl[] = [];
  const ids = new Set<string>();
  for (const fw of loaded) {
    for (const control of fw.controls) {
      if (ids.has(control.id)) throw new InputError(`${fw.framework}: duplicate control id ${control.id}`);
      ids.add(control.id);
      controls.push({ ...control, framework: fw.framework, frameworkName: fw.name, related: related(control.id) });
    }
  }
  const controlsByRule = new Map<string, string[]>();
  for (const c of controls) for (const r of c.rules) controlsByRule.set(r, [...(controlsByRule.get(r) ?? []), c.id]);
  return { frameworks: loaded, controls, controlsByRule };
}
