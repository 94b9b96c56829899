import { classifyApiCall } from "../ingest/cloudtrail/classify.ts";
import { ACCESS_LEVELS, expandActionPattern, serviceKeys, actionsOf, type AccessLevel } from "./action-catalog.ts";
import { iamActionForCall, isDataEventAction, isNeverLogged } from "./event-actions.ts";
import escalation from "./escalation-paths.json" with { type: "json" };

/**
 * Granted against used, per principal and period: the least-privilege view of an identity.
 * Reads the store through any `all(sql, params)` (a rule context or a report collector), with
 * `:start`/`:end` bound to the period. Used = a call CloudTrail recorded, allowed or denied.
 * Unused is claimed only where the logs could have shown the call: a granted action is
 * - `used`: seen in the period;
 * - `never-logged`: permission-only (iam:PassRole…), which no record shows;
 * - `not-covered`: the period holds no CloudTrail record from the principal's account, or the
 *   action is a data event and no data events from that account were logged;
 * - `unused`: everything else (a management action the logs would have shown).
 */
export type UsageStatus = "used" | "unused" | "never-logged" | "not-covered";

export interface Query {
  all<T>(sql: string, params?: Record<string, unknown>): T[];
}

export interface PrincipalRow {
  id: number;
  arn: string;
  kind: string;
  name: string;
  account: string | null;
  agent_id: string | null;
  environment: string;
  file: string;
  locator: string;
}

export interface GrantedAction {
  action: string;
  accessLevel: AccessLevel;
  resourceScope: "all" | "limited";
  conditional: boolean;
  via: string;
  status: UsageStatus;
  allowed: number;
  denied: number;
  /** Action classes (destructive, irreversible, logging-tamper, privilege-change, read/write). */
  classes: string[];
}

export interface UsedAction {
  action: string;
  storeAction: string;
  allowed: number;
  denied: number;
  granted: boolean;
  lastSeen: string;
  /** One event per outcome seen (the first), as evidence; the full population stays in the store. */
  eventIds: number[];
}

export interface PrincipalAccess {
  principal: PrincipalRow;
  granted: GrantedAction[];
  used: UsedAction[];
  /** eventSource:eventName pairs no IAM action could be matched to. */
  unmapped: string[];
  byLevel: Record<AccessLevel, { granted: number; used: number; unused: number }>;
  counts: Record<UsageStatus, number>;
  destructive: GrantedAction[];
  admin: boolean;
  escalationPaths: { id: string; actions: string[] }[];
  coverage: { events: number; categories: string[]; regions: string[] };
  suggestedPolicy: { Version: string; Statement: { Sid: string; Effect: "Allow"; Action: string[]; Resource: string }[] };
}

const GRANTS_SQL = `SELECT action, access_level, resource_scope, conditional, via FROM iam_grants WHERE principal_id = :id ORDER BY action`;
// The role behind an assumed-role session, or the user itself.
// Stored and summarised calls alike (cloudtrail_activity, issue 10); first_id is null for a call known only as a count.
const USED_SQL = `SELECT a.action AS action, a.outcome AS outcome, sum(a.n) AS n, max(a.last_time) AS last, min(a.event_id) AS first_id
  FROM cloudtrail_activity a WHERE a.time >= :start AND a.time < :end AND (a.role_arn = :arn OR a.actor = :arn)
  GROUP BY a.action, a.outcome ORDER BY a.action, a.outcome`;
const COVERAGE_SQL = `SELECT coalesce(event_category, 'Management') AS category, region, sum(n) AS n
  FROM cloudtrail_activity WHERE account = :account AND time >= :start AND time < :end GROUP BY 1, 2`;

export const DESTRUCTIVE_CLASSES = ["destructive", "irreversible", "logging-tamper"];

export function principalsSql(where = "p.agent_id IS NOT NULL"): string {
  return `SELECT p.id, p.arn, p.kind, p.name, p.account, p.agent_id, p.environment, f.path AS file, p.locator
    FROM iam_principals p JOIN source_files f ON f.id = p.file_id WHERE ${where} ORDER BY p.agent_id, p.arn, p.id`;
}

let catalogSize: number | undefined;

export function reviewPrincipal(q: Query, principal: PrincipalRow): PrincipalAccess {
  const grants = q.all<{ action: string; access_level: AccessLevel; resource_scope: "all" | "limited"; conditional: number; via: string }>(GRANTS_SQL, { id: principal.id });
  const usedRows = q.all<{ action: string; outcome: string; n: number; last: string; first_id: number | null }>(USED_SQL, { arn: principal.arn });
  const coverageRows = principal.account ? q.all<{ category: string; region: string | null; n: number }>(COVERAGE_SQL, { account: principal.account }) : [];

  const used = new Map<string, UsedAction>();
  const unmapped = new Set<string>();
  for (const r of usedRows) {
    const action = iamActionForCall(r.action);
    if (!action) {
      unmapped.add(r.action);
      continue;
    }
    const u = used.get(action) ?? { action, storeAction: r.action, allowed: 0, denied: 0, granted: false, lastSeen: r.last, eventIds: [] };
    if (r.outcome === "denied") u.denied += r.n;
    else u.allowed += r.n;
    if (r.last > u.lastSeen) u.lastSeen = r.last;
    if (r.first_id !== null) u.eventIds.push(r.first_id);
    used.set(action, u);
  }
  const categories = [...new Set(coverageRows.map((r) => r.category))].sort();
  const regions = [...new Set(coverageRows.map((r) => r.region).filter((r): r is string => r !== null))].sort();
  const events = coverageRows.reduce((n, r) => n + r.n, 0);

  const granted: GrantedAction[] = grants.map((g) => {
    const u = used.get(g.action);
    if (u) u.granted = true;
    const status: UsageStatus = u
      ? "used"
      : isNeverLogged(g.action)
        ? "never-logged"
        : events === 0 || (isDataEventAction(g.action) && !categories.includes("Data"))
          ? "not-covered"
          : "unused";
    return {
      action: g.action, accessLevel: g.access_level, resourceScope: g.resource_scope, conditional: g.conditional === 1, via: g.via, status,
      allowed: u?.allowed ?? 0, denied: u?.denied ?? 0, classes: classifyApiCall(g.action, false).filter((c) => c !== "write"),
    };
  });
  const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, { granted: 0, used: 0, unused: 0 }])) as PrincipalAccess["byLevel"];
  const counts: Record<UsageStatus, number> = { used: 0, unused: 0, "never-logged": 0, "not-covered": 0 };
  for (const g of granted) {
    byLevel[g.accessLevel].granted++;
    if (g.status === "used") byLevel[g.accessLevel].used++;
    if (g.status === "unused") byLevel[g.accessLevel].unused++;
    counts[g.status]++;
  }
  const held = new Set(granted.filter((g) => g.resourceScope === "all").map((g) => g.action));
  catalogSize ??= serviceKeys().reduce((n, s) => n + actionsOf(s).size, 0);
  const iamManagement = expandActionPattern("iam:*").filter((a) => a.accessLevel === "Permissions management");
  const admin = granted.length >= catalogSize * 0.9 && iamManagement.every((a) => held.has(a.action));
  const escalationPaths = escalation.paths.filter((p) => p.actions.every((a) => held.has(a)));
  const allowedUsed = [...used.values()].filter((u) => u.granted && u.allowed > 0).map((u) => u.action).sort();
  return {
    principal, granted, used: [...used.values()].sort((a, b) => a.action.localeCompare(b.action)), unmapped: [...unmapped].sort(), byLevel, counts,
    destructive: granted.filter((g) => g.classes.some((c) => DESTRUCTIVE_CLASSES.includes(c))),
    admin, escalationPaths, coverage: { events, categories, regions },
    suggestedPolicy: {
      Version: "2012-10-17",
      Statement: allowedUsed.length ? [{ Sid: "UsedInPeriod", Effect: "Allow", Action: allowedUsed, Resource: "*" }] : [],
    },
  };
}

const cache = new WeakMap<object, PrincipalAccess[]>();

/** Every agent principal's review, computed once per query handle (rules share a context). */
export function reviewAgentPrincipals(q: Query): PrincipalAccess[] {
  let out = cache.get(q);
  if (!out) {
    out = q.all<PrincipalRow>(principalsSql()).map((p) => reviewPrincipal(q, p));
    cache.set(q, out);
  }
  return out;
}
