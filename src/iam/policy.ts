import { expandActionPattern, serviceKeys, actionsOf, type AccessLevel } from "./action-catalog.ts";

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

interface Statement {
  effect: "Allow" | "Deny";
  actions: string[] | null;
  notActions: string[] | null;
  allResources: boolean;
  conditional: boolean;
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

/** Concrete actions a statement names (Action) or leaves out (NotAction: everything else). */
export function statementActions(s: Pick<Statement, "actions" | "notActions">): { action: string; accessLevel: AccessLevel }[] {
  if (s.actions) return s.actions.flatMap(expandActionPattern);
  if (!s.notActions) return [];
  const excluded = new Set(s.notActions.flatMap(expandActionPattern).map((a) => a.action));
  return serviceKeys().flatMap((svc) => [...actionsOf(svc).values()].filter((a) => !excluded.has(a.action)));
}

export function effectiveGrants(policies: PolicySource[], boundary?: unknown): Map<string, Grant> {
  const grants = new Map<string, Grant>();
  const denied = new Set<string>();
  for (const policy of policies) {
    for (const s of statementsOf(policy.document)) {
      const actions = statementActions(s);
      if (s.effect === "Deny") {
        if (!s.conditional && s.allResources) for (const a of actions) denied.add(a.action);
        continue;
      }
      for (const a of actions) {
        const g = grants.get(a.action);
        if (!g) {
          grants.set(a.action, { ...a, resourceScope: s.allResources ? "all" : "limited", conditional: s.conditional, via: [policy.name] });
          continue;
        }
        if (s.allResources) g.resourceScope = "all";
        g.conditional &&= s.conditional;
        if (!g.via.includes(policy.name)) g.via.push(policy.name);
      }
    }
  }
  for (const a of denied) grants.delete(a);
  if (boundary !== undefined) {
    const allowed = new Set(statementsOf(boundary).filter((s) => s.effect === "Allow").flatMap(statementActions).map((a) => a.action));
    for (const a of [...grants.keys()]) if (!allowed.has(a)) grants.delete(a);
  }
  return grants;
}
