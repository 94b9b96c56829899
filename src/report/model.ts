import type { Evaluation } from "../evaluate.ts";
import { collectReconciliation, type ReconciliationRow } from "./reconciliation.ts";
import type { Period } from "../period.ts";
import type { Db, SourceFileRecord } from "../store/index.ts";
import { collectGitChanges, type GitChangesReport } from "./git-changes.ts";
import type { PackageData } from "./package-data.ts";
import type { SampleSet } from "./samples.ts";
import { collectAgentPosture, type AgentPosture } from "./agent-posture.ts";
import { collectCloudTrailIam, type CloudTrailIamReport } from "./cloudtrail-iam.ts";

/**
 * Everything a renderer needs, gathered once. Renderers are pure functions of this model; time
 * comes from here (the period end or --as-of), never from the clock.
 */
export interface ReportMeta {
  organisation: string;
  title: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  timezone: string;
  generatedAt: string;
  buildId: string;
  frameworks: { id: string; name: string; version: string }[];
  toolVersion: string;
  configSha256: string;
  preparedBy: string | null;
}

export interface AgentActionSummary {
  agentProduct: string;
  actions: number;
  destructive: number;
  byClass: Record<string, number>;
  byApproval: Record<string, number>;
  productionDestructiveUnapproved: number;
}

export interface DestructiveAction {
  time: string;
  agentProduct: string;
  action: string;
  command: string | null;
  environment: string;
  approval: string;
  approvalEvidence: string | null;
  outcome: string;
  file: string;
  locator: string;
}

export interface ChangeSummary {
  total: number;
  aiAuthored: number;
  bots: number;
  reviewed: number;
  unreviewed: number;
  unknown: number;
}

export interface ReportScope {
  /** Whether environments.production names an account, path or resource pattern (rules about production need one). */
  productionDefined: boolean;
  sources: { name: string; kind: string; files: string }[];
  agents: { id: string; product: string; owner: string | null; signals: string }[];
  production: { awsAccounts: string[]; branches: string[]; paths: string[]; resourcePatterns: string[] };
}

export interface ReportModel {
  meta: ReportMeta;
  scope: ReportScope;
  evaluation: Evaluation;
  sources: SourceFileRecord[];
  agents: AgentActionSummary[];
  destructiveInProduction: DestructiveAction[];
  cloud: { events: number; agentEvents: number; agentDestructive: number };
  changes: ChangeSummary;
  rejects: { total: number; byFile: { file: string; rejected: number }[] };
  /** CC8.1: production changes with review verdicts, AI share and exceptions (git-changes.ts). */
  gitChanges?: GitChangesReport;
  /** Evidence-package aggregates (package-data.ts), filled by writeReport. */
  package?: PackageData;
  /** Seeded audit samples per control (samples.ts), filled by writeReport. */
  samples?: SampleSet;
  /** Permission modes per session, mode changes and agent settings files (agent-posture.ts). */
  agentPosture?: AgentPosture;
  /** Agent identities' granted vs used permissions, CloudTrail digest verification (cloudtrail-iam.ts). */
  cloudtrailIam?: CloudTrailIamReport;
  /** Records read = stored + summarised + duplicates + rejected, per source (issue 10). */
  reconciliation?: ReconciliationRow[];
}

function bind(period: Period) {
  return { start: period.startIso, end: period.endIso };
}

/** Reads the summaries the report shows (all as aggregates: populations stay in the store). */
export function collectReportData(db: Db, period: Period): Omit<ReportModel, "meta" | "evaluation" | "scope"> {
  const p = bind(period);
  const agentRows = db
    .prepare(
      `SELECT coalesce(agent_product, 'unknown') AS product, classes, approval, destructive, environment, count(*) AS n FROM agent_actions
       WHERE time >= :start AND time < :end GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )
    .all(p) as { product: string; classes: string; approval: string; destructive: number; environment: string; n: number }[];
  const agents = new Map<string, AgentActionSummary>();
  for (const r of agentRows) {
    const a = agents.get(r.product) ?? { agentProduct: r.product, actions: 0, destructive: 0, byClass: {}, byApproval: {}, productionDestructiveUnapproved: 0 };
    a.actions += r.n;
    if (r.destructive) a.destructive += r.n;
    for (const c of r.classes ? r.classes.split(" ") : ["unclassified"]) a.byClass[c] = (a.byClass[c] ?? 0) + r.n;
    a.byApproval[r.approval] = (a.byApproval[r.approval] ?? 0) + r.n;
    if (r.destructive && r.environment === "production" && r.approval !== "human" && r.approval !== "denied") a.productionDestructiveUnapproved += r.n;
    agents.set(r.product, a);
  }
  const destructiveInProduction = db
    .prepare(
      `SELECT e.time, coalesce(e.agent_product, 'unknown') AS agentProduct, e.action, e.command, e.environment, e.approval,
         e.approval_evidence AS approvalEvidence, e.outcome, f.path AS file, e.locator
       FROM agent_actions e JOIN source_files f ON f.id = e.file_id
       WHERE e.destructive = 1 AND e.environment = 'production' AND e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key LIMIT 500`,
    )
    .all(p) as DestructiveAction[];
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
    destructiveInProduction,
    cloud,
    changes,
    rejects: { total: byFile.reduce((n, f) => n + f.rejected, 0), byFile },
    gitChanges: collectGitChanges(db, period),
    agentPosture: collectAgentPosture(db, period),
    cloudtrailIam: collectCloudTrailIam(db, period),
    reconciliation: collectReconciliation(db),
  };
}
