import type { Evaluation } from "../evaluate.ts";
import type { ReconciliationRow } from "./collect/reconciliation.ts";
import type { SourceFileRecord } from "../store/index.ts";
import type { GitChangesReport } from "./collect/git-changes.ts";
import type { PackageData } from "./collect/package-data.ts";
import type { SampleSet } from "./samples.ts";
import type { AgentPosture } from "./collect/agent-posture.ts";
import type { CloudTrailIamReport } from "./collect/cloudtrail-iam.ts";
import type { LoggingCoverageReport } from "./collect/logging-coverage.ts";
import type { TimelineRow } from "./collect/timeline.ts";

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
  /**
   * The run record: when the extraction really ran, on which host and as which user. It is the one
   * part of the package that differs between two builds of the same inputs.
   */
  run?: { extractedAt: string; host: string; user: string };
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
  /** The rule's verdict on this action (agent-destructive-actions-human-approved), and its finding when it failed. */
  verdict: "pass" | "exception";
  findingId: string | null;
}

/**
 * The population of one rule as the report lists it: the rule's own items, its size and whether
 * the rule could test it at all. A renderer shows these and never filters the population again.
 */
export interface RulePopulation<T> {
  rule: string;
  tested: boolean;
  /** Why the rule could not test it, when it could not. */
  notTested: string | null;
  size: number;
  exceptions: number;
  /** At most the first LIST_LIMIT items, oldest first; the CSVs hold all. */
  rows: T[];
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

/** A control that can compensate for another (controls/compensating.json) and was effective in the period. */
export interface CompensatingControl {
  id: string;
  title: string;
  why: string;
  evidence: string;
}

/** One risk in the executive summary: the findings about one event or subject, across rules. */
export interface TopRisk {
  severity: string;
  controls: string[];
  message: string;
  findingIds: string[];
  rules: string[];
  /** `open` when any of its findings is open; `accepted` when all are accepted under a risk acceptance. */
  state: "open" | "accepted";
}

export interface ReportModel {
  meta: ReportMeta;
  /** The highest risks, each event or subject once however many rules flagged it. */
  topRisks?: TopRisk[];
  /** Per control, the controls that can compensate for it and were effective (controls/compensating.json). */
  compensating?: Record<string, CompensatingControl[]>;
  /** Per finding id, the first period a recorded build had it. */
  firstSeen?: Record<string, string>;
  /** Workspace files the package rests on besides the ingested sources (catalog, registers, templates), with their SHA-256. */
  workspaceFiles?: { path: string; sha256: string }[];
  scope: ReportScope;
  evaluation: Evaluation;
  sources: SourceFileRecord[];
  agents: AgentActionSummary[];
  /** The population of agent-destructive-actions-human-approved, with the rule's verdict on each action. */
  destructiveInProduction: RulePopulation<DestructiveAction>;
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
  /** Logging completeness per agent product and person (collect/logging-coverage.ts); null when agent-logging-complete did not run. */
  loggingCoverage?: LoggingCoverageReport | null;
  /** Every link of every finding's correlated chain, with conflicts flagged (collect/timeline.ts). */
  timeline?: TimelineRow[];
  /** Records read = stored + summarised + duplicates + rejected, per source. */
  reconciliation?: ReconciliationRow[];
  /** Hash chains of `evidence hook` logs verified at ingest, per source folder (collect/hook-chains.ts). */
  hookChains?: HookChainReport[];
}

export interface HookChainReport {
  source: string;
  folder: string;
  files: number;
  lines: number;
  /** Chain starts and links into files not collected: stated, not failures. */
  notes: string[];
  problems: { file: string; line: number; message: string }[];
}
