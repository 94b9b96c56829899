import type { Evaluation } from "../../evaluate.ts";
import type { Period } from "../../period.ts";
import type { Db, SourceFileRecord } from "../../store/index.ts";
import type { AgentActionSummary, ChangeSummary, DestructiveAction, ReportModel, RulePopulation } from "../model.ts";
import { findingIndex, ruleRun } from "./rule-results.ts";
import { collectAgentPosture, UNATTENDED_MODES } from "./agent-posture.ts";
import { collectCloudTrailIam } from "./cloudtrail-iam.ts";
import { collectGitChanges } from "./git-changes.ts";
import { collectReconciliation } from "./reconciliation.ts";

function bind(period: Period) {
  return { start: period.startIso, end: period.endIso };
}

const LIST_LIMIT = 500;
const DESTRUCTIVE_RULE = "agent-destructive-actions-human-approved";

/**
 * The destructive production actions exactly as agent-destructive-actions-human-approved judged
 * them: its items, looked up for display, with its verdict and finding. Never filtered again here.
 */
function destructiveInProduction(db: Db, evaluation: Evaluation): RulePopulation<DestructiveAction> {
  const run = ruleRun(evaluation, DESTRUCTIVE_RULE);
  const items = run?.items ?? [];
  const notTested = !run ? "the rule is not in scope" : run.outcome === "no-evidence" || run.outcome === "error" ? run.results[0]?.message ?? run.outcome : null;
  const ids = items.map((i) => Number(i.evidence?.ref.slice("event:".length)));
  const details = new Map(
    (db
      .prepare(
        `SELECT e.id, e.time, coalesce(e.agent_product, 'unknown') AS agentProduct, e.action, e.command, e.environment, e.approval,
           e.approval_evidence AS approvalEvidence, e.outcome, f.path AS file, e.locator
         FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as (Omit<DestructiveAction, "verdict" | "findingId"> & { id: number })[]).map(({ id, ...row }) => [id, row]),
  );
  const findingOf = findingIndex(evaluation);
  const rows = items.map((item, i) => {
    const row = details.get(ids[i]!);
    if (!row) throw new Error(`${DESTRUCTIVE_RULE}: tested item ${item.key} is no longer in the store`);
    return { ...row, verdict: item.result, findingId: item.result === "exception" ? findingOf(DESTRUCTIVE_RULE, item) : null };
  });
  return { rule: DESTRUCTIVE_RULE, tested: notTested === null, notTested, size: items.length, exceptions: items.filter((i) => i.result === "exception").length, rows };
}

function listed<T>(population: RulePopulation<T>): RulePopulation<T> {
  return { ...population, rows: population.rows.slice(0, LIST_LIMIT) };
}

export interface AgentActionGroup {
  product: string;
  classes: string;
  approval: string;
  destructive: number;
  environment: string;
  /** The permission mode recorded on the actions (`not recorded` when none): agent-posture.ts. */
  mode: string;
  /** The session, for actions in a mode that does not ask a person (UNATTENDED_MODES); null otherwise. */
  unattendedSession: string | null;
  n: number;
  first: string;
  last: string;
}

/**
 * The period's agent actions counted by every column the report breaks them down by, in one pass
 * over the store: the activity summary, the package's approval tables (package-data.ts) and the
 * permission posture (agent-posture.ts) are all sums of these groups; the posture had read a
 * month's actions again for itself.
 */
export function agentActionGroups(db: Db, period: Period): AgentActionGroup[] {
  const unattended = UNATTENDED_MODES.map((m) => `'${m}'`).join(", ");
  return db
    .prepare(
      `SELECT coalesce(agent_product, 'unknown') AS product, classes, approval, destructive, environment,
         coalesce(json_extract(attrs, '$.permissionMode'), 'not recorded') AS mode,
         CASE WHEN json_extract(attrs, '$.permissionMode') IN (${unattended}) THEN session_id END AS unattendedSession,
         count(*) AS n, min(time) AS first, max(time) AS last
       FROM agent_actions
       WHERE time >= :start AND time < :end GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    )
    .all(bind(period)) as AgentActionGroup[];
}

/** Reads the summaries the report shows (all as aggregates: populations stay in the store). */
export function collectReportData(
  db: Db, period: Period, evaluation: Evaluation, agentRows: AgentActionGroup[] = agentActionGroups(db, period),
): Omit<ReportModel, "meta" | "evaluation" | "scope"> {
  const p = bind(period);
  const agents = new Map<string, AgentActionSummary>();
  for (const r of agentRows) {
    const a = agents.get(r.product) ?? { agentProduct: r.product, actions: 0, destructive: 0, byClass: {}, byApproval: {}, productionDestructiveUnapproved: 0 };
    a.actions += r.n;
    if (r.destructive) a.destructive += r.n;
    for (const c of r.classes ? r.classes.split(" ") : ["unclassified"]) a.byClass[c] = (a.byClass[c] ?? 0) + r.n;
    a.byApproval[r.approval] = (a.byApproval[r.approval] ?? 0) + r.n;
    agents.set(r.product, a);
  }
  const destructive = destructiveInProduction(db, evaluation);
  // Per product, the rule's exceptions: the same count the findings give, never a second filter.
  for (const row of destructive.rows) {
    const a = agents.get(row.agentProduct);
    if (a && row.verdict === "exception") a.productionDestructiveUnapproved += 1;
  }
  const cloud = db
    .prepare(
      `SELECT coalesce(sum(n), 0) AS events, coalesce(sum(CASE WHEN actor_kind = 'agent' THEN n END), 0) AS agentEvents,
         coalesce(sum(CASE WHEN actor_kind = 'agent' AND destructive THEN n END), 0) AS agentDestructive
       FROM cloudtrail_activity WHERE time >= :start AND time < :end`,
    )
    .get(p) as ReportModel["cloud"];
  const changes = db
    .prepare(
      `SELECT count(*) AS total, coalesce(sum(author_kind = 'agent'), 0) AS aiAuthored, coalesce(sum(author_kind = 'bot'), 0) AS bots,
         coalesce(sum(review = 'reviewed'), 0) AS reviewed, coalesce(sum(review = 'unreviewed'), 0) AS unreviewed, coalesce(sum(review = 'unknown'), 0) AS unknown
       FROM changes WHERE committed >= :start AND committed < :end`,
    )
    .get(p) as ChangeSummary;
  const sources = db.prepare("SELECT * FROM source_files ORDER BY source, path").all() as SourceFileRecord[];
  const byFile = sources.filter((s) => s.rejected > 0).map((s) => ({ file: s.path, rejected: s.rejected }));
  return {
    sources,
    agents: [...agents.values()],
    destructiveInProduction: listed(destructive),
    cloud,
    changes,
    rejects: { total: byFile.reduce((n, f) => n + f.rejected, 0), byFile },
    gitChanges: collectGitChanges(db, period),
    agentPosture: collectAgentPosture(db, period, agentRows),
    cloudtrailIam: collectCloudTrailIam(db, period, evaluation),
    reconciliation: collectReconciliation(db),
  };
}
