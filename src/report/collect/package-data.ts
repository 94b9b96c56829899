import type { SourceKind } from "../../config.ts";
import type { Evaluation } from "../../evaluate.ts";
import { compareWithPrevious, resultsOf, type Comparison } from "../../history.ts";
import { toolCallsBehind } from "../../correlate.ts";
import type { Period } from "../../period.ts";
import type { Db } from "../../store/index.ts";
import { agentActionGroups, type AgentActionGroup } from "./activity.ts";
import { sqliteOrder } from "./sql-order.ts";

/**
 * The aggregates the evidence package adds to the report model: comparison with the previous
 * period, agent inventory against what was seen, approvals, weekly trends, change-management
 * detail and coverage gaps. All read from the store as aggregates; populations stay in SQL.
 */
export interface PackageData {
  /** Change from the previous period's build (history.ts); `previous` is null when there is none. */
  previous: Comparison;
  inventory: AgentSeen[];
  permissions: IdentityPermissions[];
  destructiveByApproval: { approval: string; agentProduct: string; count: number }[];
  approvalKinds: { approval: string; actions: number; destructive: number }[];
  weekly: WeeklyPoint[];
  /** False when there were too many cloud calls to correlate: tool calls and cloud calls are then counted apart. */
  weeklyDeduplicated: boolean;
  changeDetail: ChangeDetail | null;
  /** Production changes in the period, oldest first (at most CHANGE_LIST_LIMIT; changes.csv has all). */
  changeList: { total: number; rows: ChangeRow[] };
  gaps: SourceGap[];
}

export interface ChangeRow {
  committed: string;
  sha: string;
  subject: string;
  author: string;
  authorKind: string;
  review: string;
}

export const CHANGE_LIST_LIMIT = 300;

export interface AgentSeen {
  /** The registered product, or the product name seen in use. */
  identity: string;
  product: string;
  /** The owner the AI tool register names; null for a tool it does not list. */
  owner: string | null;
  /** What inventory-agents-in-use-registered decided; null when it could not test (no register, no agent logs). */
  inInventory: boolean | null;
  sources: string[];
  records: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface IdentityPermissions {
  identity: string;
  /** What the identity may do, when a source records it (agent settings files); null when unknown. */
  granted: string | null;
  /** What it did: action classes and, for cloud identities, the API calls with counts. */
  used: { item: string; count: number }[];
}

export interface WeeklyPoint {
  /** Monday of the ISO week (UTC), YYYY-MM-DD. */
  week: string;
  agentLog: number;
  /** Destructive cloud calls by agent identities that no destructive agent tool call of the period explains. */
  cloud: number;
  /** Cloud calls correlated to a destructive tool call already counted in agentLog: one action, counted once. */
  correlated: number;
}

/** Beyond this many destructive agent cloud calls, correlating each one costs too much; they are then counted apart, and the chart says so. */
export const WEEKLY_CORRELATION_LIMIT = 5000;

export interface ChangeDetail {
  byAuthor: { authorKind: string; total: number; reviewed: number; unreviewed: number; unknown: number }[];
  independence: { label: string; count: number }[];
  exceptions: { committed: string; sha: string; subject: string; author: string; exceptions: string }[];
}

export interface SourceGap {
  source: string;
  kind: string;
  /** False for snapshot kinds (recordsEachDay): their files describe a state, not each day's activity, so days say nothing. */
  daily: boolean;
  daysWithData: number;
  daysInPeriod: number;
  /** Ranges of UTC days without any record, e.g. "2026-10-04 to 2026-10-05". */
  missing: string[];
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;
}

function days(period: Period): string[] {
  const out: string[] = [];
  for (let t = Date.parse(period.startIso.slice(0, 10)); t < period.end.getTime(); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Collapses sorted dates into "a to b" ranges so a month of gaps stays one line. */
export function dateRanges(dates: string[]): string[] {
  const out: string[] = [];
  let start: string | undefined;
  let prev: string | undefined;
  const close = () => start && out.push(start === prev ? start : `${start} to ${prev}`);
  for (const d of dates) {
    if (prev && Date.parse(d) - Date.parse(prev) === 86_400_000) {
      prev = d;
      continue;
    }
    close();
    start = prev = d;
  }
  close();
  return out;
}

/** Monday (UTC) of the week containing `iso`, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

const INVENTORY_RULE = "inventory-agents-in-use-registered";

/**
 * The AI tool inventory is the register (registers.aiTools), and whether a tool seen in use is in
 * it is what inventory-agents-in-use-registered decided: one definition, read from the rule. Rows:
 * every registered tool, then every product seen in the period that the register does not name.
 */
function inventory(db: Db, p: Record<string, string>, evaluation: Evaluation, groups: ProductGroup[]): AgentSeen[] {
  const bySource = new Map<string, { product: string; source: string; n: number; first: string; last: string }>();
  for (const g of groups) {
    if (!g.agent) continue;
    const key = `${g.product}\u0000${g.source}`;
    const s = bySource.get(key);
    if (!s) bySource.set(key, { product: g.product, source: g.source, n: g.n, first: g.first, last: g.last });
    else {
      s.n += g.n;
      if (g.first < s.first) s.first = g.first;
      if (g.last > s.last) s.last = g.last;
    }
  }
  const commits = db
    .prepare(
      `SELECT c.agent_product AS product, f.source AS source, count(*) AS n, min(c.committer_time) AS first, max(c.committer_time) AS last
       FROM commits c JOIN source_files f ON f.id = c.file_id
       WHERE c.author_kind = 'agent' AND c.agent_product IS NOT NULL AND c.committer_time >= :start AND c.committer_time < :end GROUP BY 1, 2`,
    )
    .all(p) as { product: string; source: string; n: number; first: string; last: string }[];
  // In the order SQLite's GROUP BY gave them: by product, then source (bytes).
  const seen = [...[...bySource.values()].sort((a, b) => sqliteOrder(a.product, b.product) || sqliteOrder(a.source, b.source)), ...commits];
  // Registers are TEMP tables of this connection (sqlite_temp_master), loaded when the build starts.
  const registered = db.prepare("SELECT 1 FROM sqlite_temp_master WHERE name = 'register_ai_tools'").get() !== undefined
    ? (db.prepare("SELECT product, owner, aliases FROM temp.register_ai_tools ORDER BY row").all() as { product: string; owner: string | null; aliases: string | null }[])
    : [];
  const run = evaluation.rules.find((r) => r.id === INVENTORY_RULE);
  const judged = run !== undefined && (run.outcome === "pass" || run.outcome === "fail");
  const shadow = new Set((run?.results ?? []).filter((r) => r.outcome === "fail").map((r) => r.subject.toLowerCase()));
  const rows = new Map<string, AgentSeen>();
  const byName = new Map<string, AgentSeen>();
  for (const t of registered) {
    const row: AgentSeen = { identity: t.product, product: t.product, owner: t.owner, inInventory: true, sources: [], records: 0, firstSeen: null, lastSeen: null };
    rows.set(t.product.toLowerCase(), row);
    for (const name of [t.product, ...((t.aliases ? JSON.parse(t.aliases) : []) as string[])]) byName.set(name.toLowerCase(), row);
  }
  for (const s of seen) {
    const key = s.product.toLowerCase();
    const row = byName.get(key) ?? rows.get(key) ?? { identity: s.product, product: s.product, owner: null, inInventory: judged ? !shadow.has(key) : null, sources: [], records: 0, firstSeen: null, lastSeen: null };
    row.records += s.n;
    if (!row.sources.includes(s.source)) row.sources.push(s.source);
    row.sources.sort();
    row.firstSeen = !row.firstSeen || s.first < row.firstSeen ? s.first : row.firstSeen;
    row.lastSeen = !row.lastSeen || s.last > row.lastSeen ? s.last : row.lastSeen;
    if (!byName.has(key)) rows.set(key, row);
  }
  const order = (a: AgentSeen) => (a.inInventory === true ? 0 : a.inInventory === null ? 1 : 2);
  return [...rows.values()].sort((a, b) => order(a) - order(b) || a.identity.localeCompare(b.identity));
}

/**
 * The period's records of named agent products (sessions apart), counted per product, file, what
 * was used and whether an agent acted: the one pass over the store that the inventory (records
 * seen per product and source) and the permissions used (per product and item) are both sums of.
 */
interface ProductGroup {
  product: string;
  source: string;
  /** An agent acted: an agent log's record, or a cloud call by an agent identity. */
  agent: boolean;
  /** A CloudTrail call's API name, or `class:` and an agent action's classes. */
  item: string;
  n: number;
  first: string;
  last: string;
}

function productGroups(db: Db, p: Record<string, string>): ProductGroup[] {
  const sources = new Map((db.prepare("SELECT id, source FROM source_files").all() as { id: number; source: string }[]).map((f) => [f.id, f.source]));
  const rows = db
    .prepare(
      `SELECT agent_product AS product, file_id AS file, source_kind = 'agent-log' OR actor_kind = 'agent' AS agent,
         CASE WHEN source_kind = 'cloudtrail' THEN action ELSE 'class:' || coalesce(nullif(classes, ''), 'unclassified') END AS item,
         count(*) AS n, min(time) AS first, max(time) AS last
       FROM events WHERE agent_product IS NOT NULL AND action NOT LIKE 'session:%' AND time >= :start AND time < :end
       GROUP BY 1, 2, 3, 4`,
    )
    .all(p) as (Omit<ProductGroup, "source" | "agent"> & { file: number; agent: number })[];
  return rows.map(({ file, agent, ...g }) => ({ ...g, source: sources.get(file)!, agent: agent === 1 }));
}

function permissions(db: Db, groups: ProductGroup[], identities: AgentSeen[]): IdentityPermissions[] {
  const counts = new Map<string, { identity: string; item: string; n: number }>();
  for (const g of groups) {
    const key = `${g.product}\u0000${g.item}`;
    const u = counts.get(key);
    if (u) u.n += g.n;
    else counts.set(key, { identity: g.product, item: g.item, n: g.n });
  }
  // As ORDER BY identity, n DESC, item did.
  const used = [...counts.values()].sort((a, b) => sqliteOrder(a.identity, b.identity) || b.n - a.n || sqliteOrder(a.item, b.item));
  const granted = new Map<string, string>();
  if (tableExists(db, "agent_settings")) {
    const rows = db
      .prepare(
        `SELECT product, group_concat(scope || ': mode ' || coalesce(default_mode, 'default') || ', ' || allow_count || ' allow / ' || ask_count || ' ask / ' ||
           deny_count || ' deny rules, ' || destructive_allowed || ' destructive commands allowed unasked', '; ') AS summary
         FROM (SELECT * FROM agent_settings ORDER BY product, scope, id) GROUP BY product`,
      )
      .all() as { product: string; summary: string }[];
    for (const r of rows) granted.set(r.product, r.summary);
  }
  return identities.map((i) => ({
    identity: i.identity,
    granted: granted.get(i.product) ?? null,
    used: used.filter((u) => u.identity === i.identity).slice(0, 25).map((u) => ({ item: u.item, count: u.n })),
  }));
}

function changeDetail(db: Db, p: Record<string, string>): ChangeDetail | null {
  if (!tableExists(db, "changes")) return null;
  const byAuthor = db
    .prepare(
      `SELECT author_kind AS authorKind, count(*) AS total, coalesce(sum(review = 'reviewed'), 0) AS reviewed,
         coalesce(sum(review = 'unreviewed'), 0) AS unreviewed, coalesce(sum(review = 'unknown'), 0) AS unknown
       FROM changes WHERE committed >= :start AND committed < :end GROUP BY 1 ORDER BY 1`,
    )
    .all(p) as ChangeDetail["byAuthor"];
  const ind = db
    .prepare(
      `SELECT coalesce(sum(self_merged = 1), 0) AS selfMerged, coalesce(sum(admin_bypass = 1), 0) AS adminBypass, coalesce(sum(direct_push = 1), 0) AS directPush,
         coalesce(sum(ai_reviewer_only = 1), 0) AS aiReviewerOnly, coalesce(sum(approval_stale = 1), 0) AS stale, coalesce(sum(emergency IS NOT NULL), 0) AS emergency,
         coalesce(sum(approved_before_merge = 1), 0) AS approvedFirst
       FROM changes WHERE committed >= :start AND committed < :end`,
    )
    .get(p) as Record<string, number>;
  const exceptions = db
    .prepare(
      `SELECT committed, sha, subject, coalesce(author, '') AS author, exceptions FROM changes
       WHERE exceptions != '' AND committed >= :start AND committed < :end ORDER BY committed, repo, sha LIMIT 200`,
    )
    .all(p) as ChangeDetail["exceptions"];
  return {
    byAuthor,
    independence: [
      { label: "Approved on the platform before merge", count: ind.approvedFirst ?? 0 },
      { label: "Self-merged (author merged own change)", count: ind.selfMerged ?? 0 },
      { label: "Merged with admin bypass", count: ind.adminBypass ?? 0 },
      { label: "Pushed directly to the production branch", count: ind.directPush ?? 0 },
      { label: "Approved by an AI reviewer only", count: ind.aiReviewerOnly ?? 0 },
      { label: "Approval stale (new commits after approval)", count: ind.stale ?? 0 },
      { label: "Emergency changes", count: ind.emergency ?? 0 },
    ],
    exceptions,
  };
}

function changeList(db: Db, p: Record<string, string>): PackageData["changeList"] {
  const from = tableExists(db, "changes")
    ? "SELECT committed, sha, subject, coalesce(author, '') AS author, author_kind AS authorKind, review, repo FROM changes"
    : "SELECT committer_time AS committed, sha, subject, coalesce(author_name, '') AS author, author_kind AS authorKind, review, repo FROM commits WHERE on_production = 1";
  const where = `FROM (${from}) WHERE committed >= :start AND committed < :end`;
  const total = (db.prepare(`SELECT count(*) AS n ${where}`).get(p) as { n: number }).n;
  const rows = db.prepare(`SELECT committed, sha, subject, author, authorKind, review ${where} ORDER BY committed, repo, sha LIMIT ${CHANGE_LIST_LIMIT}`).all(p) as ChangeRow[];
  return { total, rows };
}

/**
 * Per source kind, whether its files record activity day by day. Snapshot kinds (IAM authorization
 * details, agent settings files, pull-request exports) describe a state: a day without their
 * records is not a gap in the evidence. A Record over every kind, so a new kind does not compile
 * until someone decides which it is.
 */
const RECORDS_EACH_DAY: Readonly<Record<SourceKind, boolean>> = {
  "agent-logs": true, "agent-settings": false, "claude-code-hooks": true, "claude-code-otel": true, "claude-code-transcript": true,
  cloudtrail: true, "codex-hooks": true, "codex-otel": true, "codex-rollout": true, "copilot-cli-hooks": true, "cursor-hooks": true, "gemini-cli-telemetry": true, "gemini-hooks": true,
  "generic-agent-log": true, git: true, "github-audit-log": true, "github-pull-requests": false, "gitlab-merge-requests": false, iam: false,
  "kiro-hooks": true, "otlp-genai": true, "windsurf-hooks": true,
};

/** A kind the store holds but this version does not know (a newer store) counts as daily: gaps shown, never hidden. */
export function recordsEachDay(kind: string): boolean {
  return Object.hasOwn(RECORDS_EACH_DAY, kind) ? RECORDS_EACH_DAY[kind as SourceKind] : true;
}

/**
 * Per source, the UTC days of the period with at least one record. CloudTrail calls kept as counts
 * (event_summaries) count too: a day of only summarised calls had been reported as a gap. A count
 * covers one report-zone day, which overlaps at most two UTC days, and its first and last record
 * times name both.
 */
export function gaps(db: Db, period: Period, p: Record<string, string>): SourceGap[] {
  const all = days(period);
  const rows = db
    .prepare(
      // Days per file first, joined to the file's source after: far fewer joins than one per row.
      // Summaries are CloudTrail's only (SummaryRecord); naming the kind lets the day index serve.
      // A file's counts for one report-zone day: the earliest and latest record name its UTC days.
      `WITH stored AS (SELECT DISTINCT file_id, substr(time, 1, 10) AS day FROM events WHERE time >= :start AND time < :end),
       counted AS MATERIALIZED (
         SELECT file_id, substr(min(first_time), 1, 10) AS first, substr(max(last_time), 1, 10) AS last FROM event_summaries
         WHERE source_kind = 'cloudtrail' AND day_start >= :start AND day_start < :end GROUP BY file_id, day_start),
       days AS (
         SELECT file_id, day FROM stored UNION SELECT file_id, first FROM counted UNION SELECT file_id, last FROM counted
         UNION SELECT file_id, substr(committer_time, 1, 10) FROM commits WHERE committer_time >= :start AND committer_time < :end)
       SELECT DISTINCT f.source, f.kind, d.day FROM days d JOIN source_files f ON f.id = d.file_id ORDER BY 1, 2, 3`,
    )
    .all(p) as { source: string; kind: string; day: string }[];
  const sources = db.prepare("SELECT DISTINCT source, kind FROM source_files ORDER BY source, kind").all() as { source: string; kind: string }[];
  return sources.map(({ source, kind }) => {
    if (!recordsEachDay(kind)) return { source, kind, daily: false, daysWithData: 0, daysInPeriod: all.length, missing: [] };
    const have = new Set(rows.filter((r) => r.source === source && r.kind === kind).map((r) => r.day));
    return { source, kind, daily: true, daysWithData: all.filter((d) => have.has(d)).length, daysInPeriod: all.length, missing: dateRanges(all.filter((d) => !have.has(d))) };
  });
}

/**
 * Destructive agent actions per week. An agent's tool call and the CloudTrail call it caused are
 * one action: a cloud call correlated (src/correlate.ts) to a destructive tool call of the period
 * is counted once, with the tool call.
 */
function weekly(db: Db, period: Period, p: Record<string, string>): { points: WeeklyPoint[]; deduplicated: boolean } {
  const rows = db
    .prepare(
      `SELECT id, substr(time, 1, 10) AS day, source_kind AS kind FROM events
       WHERE destructive = 1 AND time >= :start AND time < :end AND action NOT LIKE 'session:%'
         AND (source_kind = 'agent-log' OR actor_kind = 'agent') ORDER BY time, id`,
    )
    .all(p) as { id: number; day: string; kind: string }[];
  const weeks = new Map<string, WeeklyPoint>();
  for (const d of days(period)) {
    const w = weekOf(d);
    if (!weeks.has(w)) weeks.set(w, { week: w, agentLog: 0, cloud: 0, correlated: 0 });
  }
  const calls = new Set(rows.filter((r) => r.kind === "agent-log").map((r) => r.id));
  const cloudCount = rows.length - calls.size;
  const deduplicated = cloudCount <= WEEKLY_CORRELATION_LIMIT;
  for (const r of rows) {
    const point = weeks.get(weekOf(r.day));
    if (!point) continue;
    if (r.kind === "agent-log") point.agentLog += 1;
    else if (deduplicated && toolCallsBehind(db, r.id).some((t) => calls.has(t.toolCallId))) point.correlated += 1;
    else point.cloud += 1;
  }
  return { points: [...weeks.values()], deduplicated };
}

/**
 * The approval tables, summed from the agent action groups the activity summary reads (one pass
 * over the store for all three): destructive actions per approval and product (ordered by both),
 * and actions per approval (most first, then by name).
 */
export function approvalTables(groups: AgentActionGroup[]): Pick<PackageData, "destructiveByApproval" | "approvalKinds"> {
  const destructive = new Map<string, PackageData["destructiveByApproval"][number]>();
  const kinds = new Map<string, PackageData["approvalKinds"][number]>();
  for (const g of groups) {
    const kind = kinds.get(g.approval) ?? { approval: g.approval, actions: 0, destructive: 0 };
    kind.actions += g.n;
    kind.destructive += g.destructive * g.n;
    kinds.set(g.approval, kind);
    if (g.destructive !== 1) continue;
    const key = `${g.approval}\u0000${g.product}`;
    const row = destructive.get(key) ?? { approval: g.approval, agentProduct: g.product, count: 0 };
    row.count += g.n;
    destructive.set(key, row);
  }
  return {
    destructiveByApproval: [...destructive.values()].sort((a, b) => sqliteOrder(a.approval, b.approval) || sqliteOrder(a.agentProduct, b.agentProduct)),
    approvalKinds: [...kinds.values()].sort((a, b) => b.actions - a.actions || sqliteOrder(a.approval, b.approval)),
  };
}

/** Reads everything the package adds to the model. Reads only. */
export function collectPackageData(
  db: Db, period: Period, evaluation: Evaluation, agentGroups: AgentActionGroup[] = agentActionGroups(db, period),
): PackageData {
  const p = { start: period.startIso, end: period.endIso };
  const groups = productGroups(db, p);
  const seen = inventory(db, p, evaluation, groups);
  const trend = weekly(db, period, p);
  return {
    previous: compareWithPrevious(db, period, resultsOf(evaluation)),
    inventory: seen,
    permissions: permissions(db, groups, seen),
    ...approvalTables(agentGroups),
    weekly: trend.points,
    weeklyDeduplicated: trend.deduplicated,
    changeDetail: changeDetail(db, p),
    changeList: changeList(db, p),
    gaps: gaps(db, period, p),
  };
}
