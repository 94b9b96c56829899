import { classifyApiCall } from "./call-classes.ts";
import { ACCESS_LEVELS, actionInfo, allActions, catalogIndex, expandActionPattern, type AccessLevel } from "./action-catalog.ts";
import { iamActionForCall, isDataEventAction, isNeverLogged } from "./event-actions.ts";
import escalation from "./escalation-paths.json" with { type: "json" };
import { ALL_RESOURCES, GRANTED, grantVector, grantsOfStatements } from "./policy.ts";
import type { PolicyStatement } from "../policy-statement.ts";

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
  via: string[];
  status: UsageStatus;
  /** Action classes (destructive, irreversible, logging-tamper, privilege-change, read/write). */
  classes: string[];
}

/** A destructive right held. One shared object per (action, status): many admin principals cost one list of references each. */
export interface HeldRight {
  readonly action: string;
  readonly status: UsageStatus;
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
  /** How many concrete actions its policies grant (the list itself: grantedActions()). */
  grantedCount: number;
  used: UsedAction[];
  /** eventSource:eventName pairs no IAM action could be matched to. */
  unmapped: string[];
  byLevel: Record<AccessLevel, { granted: number; used: number; unused: number }>;
  counts: Record<UsageStatus, number>;
  destructive: HeldRight[];
  admin: boolean;
  escalationPaths: { id: string; actions: string[] }[];
  coverage: { events: number; categories: string[]; regions: string[] };
  suggestedPolicy: { Version: string; Statement: { Sid: string; Effect: "Allow"; Action: string[]; Resource: string }[] };
}

const STATEMENTS_SQL = `SELECT policy, role, effect, actions, not_actions, all_resources, conditional FROM iam_statements WHERE principal_id = :id ORDER BY ord`;
// The role behind an assumed-role session, or the user itself.
// Stored and summarised calls alike (cloudtrail_activity); first_id is null for a call known only as a count.
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

function statementsOfPrincipal(q: Query, id: number): PolicyStatement[] {
  const rows = q.all<{ policy: string; role: string; effect: string; actions: string | null; not_actions: string | null; all_resources: number; conditional: number }>(STATEMENTS_SQL, { id });
  return rows.map((r) => ({
    policy: r.policy, role: r.role === "boundary" ? "boundary" : "policy", effect: r.effect === "Deny" ? "Deny" : "Allow",
    actions: r.actions === null ? null : (JSON.parse(r.actions) as string[]), notActions: r.not_actions === null ? null : (JSON.parse(r.not_actions) as string[]),
    allResources: r.all_resources === 1, conditional: r.conditional === 1,
  }));
}

// Per action, bounded by the catalog: the grant's classes without read/write.
const classCache = new Map<string, string[]>();
function grantClasses(action: string): string[] {
  let c = classCache.get(action);
  if (!c) {
    c = classifyApiCall(action, false).filter((x) => x !== "write");
    classCache.set(action, c);
  }
  return c;
}

/** What the review needs of each catalog action, computed once per process. */
interface CatalogFacts {
  level: Uint8Array;
  destructive: Uint8Array;
  neverLogged: Uint8Array;
  dataEvent: Uint8Array;
  iamManagement: number[];
  escalation: { id: string; actions: string[]; at: number[] }[];
}
let facts: CatalogFacts | undefined;
function catalogFacts(): CatalogFacts {
  if (facts) return facts;
  const actions = allActions();
  const flag = (test: (action: string) => boolean) => Uint8Array.from(actions, (a) => (test(a.action) ? 1 : 0));
  const at = (action: string) => expandActionPattern(action).map(catalogIndex);
  facts = {
    level: Uint8Array.from(actions, (a) => ACCESS_LEVELS.indexOf(a.accessLevel)),
    destructive: flag((a) => grantClasses(a).some((c) => DESTRUCTIVE_CLASSES.includes(c))),
    neverLogged: flag(isNeverLogged),
    dataEvent: flag(isDataEventAction),
    iamManagement: expandActionPattern("iam:*").filter((a) => a.accessLevel === "Permissions management").map(catalogIndex),
    // An action missing from the catalog can never be held: the path stays out of reach, as before.
    escalation: escalation.paths.map((p) => ({ ...p, at: p.actions.flatMap((a) => { const i = at(a); return i.length ? i : [-1]; }) })),
  };
  return facts;
}

let lastVector: { key: string; vector: Uint8Array } | undefined;
function grantVectorOf(statements: PolicyStatement[]): Uint8Array {
  // Policy names only say where a grant comes from: principals with the same patterns (an
  // account's many admin roles) share one computation.
  const key = JSON.stringify(statements.map((s) => [s.role, s.effect, s.actions, s.notActions, s.allResources, s.conditional]));
  if (lastVector?.key !== key) lastVector = { key, vector: grantVector(statements) };
  return lastVector.vector;
}

const heldRights = new Map<string, HeldRight>();
function heldRight(action: string, status: UsageStatus): HeldRight {
  const key = `${status} ${action}`;
  let r = heldRights.get(key);
  if (!r) {
    r = Object.freeze({ action, status });
    heldRights.set(key, r);
  }
  return r;
}

interface Usage {
  used: Map<string, UsedAction>;
  unmapped: string[];
  coverage: PrincipalAccess["coverage"];
}

function usageOf(q: Query, principal: PrincipalRow): Usage {
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
  return { used, unmapped: [...unmapped].sort(), coverage: { events: coverageRows.reduce((n, r) => n + r.n, 0), categories, regions } };
}

function statusOf(action: string, usage: Usage): UsageStatus {
  if (usage.used.has(action)) return "used";
  if (isNeverLogged(action)) return "never-logged";
  return unloggedStatus(isDataEventAction(action), usage);
}

function unloggedStatus(dataEvent: boolean, usage: Usage): UsageStatus {
  return usage.coverage.events === 0 || (dataEvent && !usage.coverage.categories.includes("Data")) ? "not-covered" : "unused";
}

/** Every granted action of one principal with its use in the period: computed on demand, never kept. */
export function grantedActions(q: Query, principal: PrincipalRow): GrantedAction[] {
  const usage = usageOf(q, principal);
  return [...grantsOfStatements(statementsOfPrincipal(q, principal.id)).values()]
    .sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0))
    .map((g) => ({ ...g, status: statusOf(g.action, usage), classes: grantClasses(g.action) }));
}

/**
 * One principal's review. Grants are walked as a vector over the catalog, so the work and the
 * memory kept are bounded by the catalog whatever the policies hold: only counts, the used calls
 * and references to shared destructive-right entries outlive the call.
 */
export function reviewPrincipal(q: Query, principal: PrincipalRow): PrincipalAccess {
  const f = catalogFacts();
  const actions = allActions();
  const v = grantVectorOf(statementsOfPrincipal(q, principal.id));
  const usage = usageOf(q, principal);
  const usedAt = new Map<number, UsedAction>();
  for (const u of usage.used.values()) {
    const info = actionInfo(u.action);
    if (info) usedAt.set(catalogIndex(info), u);
  }
  const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, { granted: 0, used: 0, unused: 0 }])) as PrincipalAccess["byLevel"];
  const counts: Record<UsageStatus, number> = { used: 0, unused: 0, "never-logged": 0, "not-covered": 0 };
  const unlogged = { data: unloggedStatus(true, usage), management: unloggedStatus(false, usage) };
  const destructive: HeldRight[] = [];
  let granted = 0;
  for (let i = 0; i < v.length; i++) {
    if (!(v[i]! & GRANTED)) continue;
    granted++;
    const u = usedAt.get(i);
    if (u) u.granted = true;
    const status: UsageStatus = u ? "used" : f.neverLogged[i] ? "never-logged" : f.dataEvent[i] ? unlogged.data : unlogged.management;
    const level = byLevel[ACCESS_LEVELS[f.level[i]!]!];
    level.granted++;
    if (status === "used") level.used++;
    if (status === "unused") level.unused++;
    counts[status]++;
    if (f.destructive[i]) destructive.push(heldRight(actions[i]!.action, status));
  }
  const held = (i: number) => i >= 0 && (v[i]! & ALL_RESOURCES) !== 0;
  const used = [...usage.used.values()].sort((a, b) => a.action.localeCompare(b.action));
  const allowedUsed = used.filter((u) => u.granted && u.allowed > 0).map((u) => u.action).sort();
  return {
    principal, grantedCount: granted, used, unmapped: usage.unmapped, byLevel, counts,
    // Sorted by action as AWS spells it (binary order), as a listing of the grants is.
    destructive: destructive.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0)),
    admin: granted >= actions.length * 0.9 && f.iamManagement.every(held),
    escalationPaths: f.escalation.filter((p) => p.at.every(held)).map((p) => ({ id: p.id, actions: p.actions })),
    coverage: usage.coverage,
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
