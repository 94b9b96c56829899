import { allActions, catalogIndex, expandActionPattern, type AccessLevel } from "./action-catalog.ts";
import type { PolicyStatement, Statement } from "../policy-statement.ts";

/**
 * What an identity's policies grant, as concrete IAM actions with access levels: wildcards and
 * NotAction are expanded against the action catalog. Pure.
 *
 * Simplifications, stated so nobody reads more into the result than it holds:
 * - resources are summarised as "all" (`*` or NotResource) or "limited" (specific ARNs);
 * - conditions are not evaluated: a grant only under a Condition is marked `conditional`;
 * - a Deny removes actions only when it is unconditional and on `*`; narrower denies are ignored,
 *   so the result can over-state access, never under-state it;
 * - a permissions boundary, when known, caps the result to the actions it allows.
 */
export interface Grant {
  action: string;
  accessLevel: AccessLevel;
  resourceScope: "all" | "limited";
  conditional: boolean;
  /** Names of the policies that grant it. */
  via: string[];
}

export interface PolicySource {
  name: string;
  document: unknown;
}

const list = (v: unknown): string[] | null => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null);

/** IAM API responses carry documents URL-encoded; the CLI decodes them. Accept both, and strings of JSON. */
export function policyDocument(raw: unknown): Record<string, unknown> | null {
  if (typeof raw === "string") {
    const text = raw.trimStart().startsWith("%7B") || raw.includes("%22") ? decodeURIComponent(raw) : raw;
    try {
      return policyDocument(JSON.parse(text));
    } catch {
      return null;
    }
  }
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

export function statementsOf(raw: unknown): Statement[] {
  const doc = policyDocument(raw);
  if (!doc) return [];
  const st = doc.Statement;
  const items = Array.isArray(st) ? st : st && typeof st === "object" ? [st] : [];
  return items
    .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null)
    .map((s) => {
      const resources = list(s.Resource);
      return {
        effect: s.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(s.Action),
        notActions: list(s.NotAction),
        allResources: s.NotResource !== undefined || (resources ?? []).includes("*"),
        conditional: typeof s.Condition === "object" && s.Condition !== null && Object.keys(s.Condition).length > 0,
      } satisfies Statement;
    });
}

export function principalStatements(policies: PolicySource[], boundary?: unknown): PolicyStatement[] {
  const out: PolicyStatement[] = policies.flatMap((p) => statementsOf(p.document).map((s) => ({ ...s, policy: p.name, role: "policy" as const })));
  if (boundary === undefined) return out;
  const allows = statementsOf(boundary).filter((s) => s.effect === "Allow");
  const rows = allows.length ? allows : [{ effect: "Allow" as const, actions: [], notActions: null, allResources: false, conditional: false }];
  return [...out, ...rows.map((s) => ({ ...s, policy: "permissions boundary", role: "boundary" as const }))];
}

/** Identical statements (often the same managed policy attached twice) are expanded once. */
function distinct(statements: PolicyStatement[]): { s: PolicyStatement; policies: string[] }[] {
  const byKey = new Map<string, { s: PolicyStatement; policies: string[] }>();
  for (const s of statements) {
    const key = JSON.stringify([s.role, s.effect, s.actions, s.notActions, s.allResources, s.conditional]);
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { s, policies: [s.policy] });
    else if (!seen.policies.includes(s.policy)) seen.policies.push(s.policy);
  }
  return [...byKey.values()];
}

/** Calls `fn` with the catalog position of every action a statement covers; `*` never builds a list. */
function forEachCovered(s: Pick<Statement, "actions" | "notActions">, fn: (i: number) => void): void {
  const n = allActions().length;
  if (s.actions) {
    if (s.actions.some((a) => a.trim() === "*")) for (let i = 0; i < n; i++) fn(i);
    else for (const p of s.actions) for (const a of expandActionPattern(p)) fn(catalogIndex(a));
    return;
  }
  if (!s.notActions) return;
  const excluded = new Uint8Array(n);
  for (const p of s.notActions) for (const a of expandActionPattern(p)) excluded[catalogIndex(a)] = 1;
  for (let i = 0; i < n; i++) if (!excluded[i]) fn(i);
}

/** Flags of a grant vector, one byte per catalog action. */
export const GRANTED = 1;
export const ALL_RESOURCES = 2;
export const UNCONDITIONAL = 4;

/**
 * What stored statements grant, as one byte of flags per catalog action (allActions() order):
 * the catalog's size in memory whatever the policies say, so an administrator costs no more
 * than anyone else. A grant is conditional only when every statement granting it is.
 */
export function grantVector(statements: PolicyStatement[]): Uint8Array {
  const n = allActions().length;
  const v = new Uint8Array(n);
  const denied = new Uint8Array(n);
  let boundary: Uint8Array | null = null;
  for (const { s } of distinct(statements)) {
    if (s.role === "boundary") {
      const allowed = (boundary ??= new Uint8Array(n));
      forEachCovered(s, (i) => (allowed[i] = 1));
    } else if (s.effect === "Deny") {
      if (!s.conditional && s.allResources) forEachCovered(s, (i) => (denied[i] = 1));
    } else {
      const flags = GRANTED | (s.allResources ? ALL_RESOURCES : 0) | (s.conditional ? 0 : UNCONDITIONAL);
      forEachCovered(s, (i) => (v[i]! |= flags));
    }
  }
  for (let i = 0; i < n; i++) if (denied[i] || (boundary && !boundary[i])) v[i] = 0;
  return v;
}

/** The grants of stored statements with the policies behind each: for listings, one principal at a time. */
export function grantsOfStatements(statements: PolicyStatement[]): Map<string, Grant> {
  const v = grantVector(statements);
  const actions = allActions();
  const via: string[][] = [];
  for (const { s, policies } of distinct(statements)) {
    if (s.role !== "policy" || s.effect !== "Allow") continue;
    forEachCovered(s, (i) => {
      if (!v[i]) return;
      const names = (via[i] ??= []);
      for (const name of policies) if (!names.includes(name)) names.push(name);
    });
  }
  const grants = new Map<string, Grant>();
  v.forEach((flags, i) => {
    if (!flags) return;
    const a = actions[i]!;
    grants.set(a.action, {
      action: a.action, accessLevel: a.accessLevel, resourceScope: flags & ALL_RESOURCES ? "all" : "limited", conditional: !(flags & UNCONDITIONAL), via: via[i] ?? [],
    });
  });
  return grants;
}

export function effectiveGrants(policies: PolicySource[], boundary?: unknown): Map<string, Grant> {
  return grantsOfStatements(principalStatements(policies, boundary));
}
