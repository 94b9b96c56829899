import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DigestVerification } from "../../cloudtrail/digest.ts";
import type { AccessLevel } from "../../iam/action-catalog.ts";
import { reviewAgentPrincipals, type PrincipalAccess } from "../../iam/access-review.ts";
import { managedPolicySource } from "../../iam/managed-policies.ts";
import { suggestedPolicyFile, suggestedPolicyJson } from "../../iam/suggested-policy.ts";
import { integrityProblems } from "../../cloudtrail/integrity-problems.ts";
import type { Evaluation } from "../../evaluate.ts";
import type { Period } from "../../period.ts";
import { findingIndex, ruleRun } from "./rule-results.ts";
import { SKIPPED_PARSER, type Db } from "../../store/index.ts";

/**
 * The CloudTrail and IAM part of the report: per agent identity, what it could do (granted, by
 * access level), what it did (used), the destructive rights it holds and the destructive calls it
 * made in production, and the least-privilege policy suggested from its use; plus the digest
 * verification of every CloudTrail folder and the files skipped as not being logs.
 */
/** A call that changed something (destructive or any write), with its human approval if one was found. */
export interface DestructiveCall {
  time: string;
  destructive: number;
  action: string;
  target: string | null;
  outcome: string;
  region: string | null;
  /**
   * What cloudtrail-agent-destructive-calls-approved decided about this call: its observation
   * (the human confirmation it found, or none) and verdict, or why the call is outside its population.
   */
  verdict: string;
  file: string;
  locator: string;
}

export interface AgentPrincipalReport {
  arn: string;
  name: string;
  agentId: string;
  account: string | null;
  environment: string;
  source: string;
  byLevel: Record<AccessLevel, { granted: number; used: number; unused: number }>;
  counts: PrincipalAccess["counts"];
  coverage: PrincipalAccess["coverage"];
  used: { action: string; allowed: number; denied: number; granted: boolean }[];
  destructiveHeld: { action: string; status: string }[];
  destructiveCalls: DestructiveCall[];
  escalationPaths: string[];
  admin: boolean;
  unmapped: string[];
  policyFile: string;
  policyJson: string;
}

export interface IntegrityReport {
  source: string;
  folder: string;
  ok: boolean;
  none: boolean;
  digests: number;
  logFilesVerified: number;
  signatures: { valid: number; invalid: number; unchecked: number };
  trails: string[];
  problems: string[];
}

export interface CloudTrailIamReport {
  principals: AgentPrincipalReport[];
  integrity: IntegrityReport[];
  skipped: { source: string; reason: string; files: number }[];
  managedPolicySource: string;
}

const CALLS_SQL = `SELECT e.id, e.time, e.destructive, e.action, e.target, e.outcome, e.region, f.path AS file, e.locator
  FROM events e JOIN source_files f ON f.id = e.file_id
  WHERE e.source_kind = 'cloudtrail' AND (e.destructive = 1 OR ' ' || e.classes || ' ' NOT LIKE '% read %') AND e.time >= :start AND e.time < :end
    AND (json_extract(e.attrs, '$.roleArn') = :arn OR e.actor = :arn)
  ORDER BY e.time, e.id LIMIT 200`;

const CALLS_RULE = "cloudtrail-agent-destructive-calls-approved";

/** The rule's verdict on each call it tested, by evidence ref: the report states it and never re-derives it. */
function verdicts(evaluation: Evaluation): (id: number) => string {
  const run = ruleRun(evaluation, CALLS_RULE);
  const byRef = new Map((run?.items ?? []).map((i) => [i.evidence?.ref, i]));
  const findingOf = findingIndex(evaluation);
  return (id) => {
    const item = byRef.get(`event:${id}`);
    if (item) return item.result === "pass" ? item.observed : `${item.observed} (finding ${findingOf(CALLS_RULE, item) ?? "?"})`;
    if (!run?.items) return `not judged: ${CALLS_RULE} did not test the period`;
    return "not judged: not a successful destructive call in production";
  };
}

export function collectCloudTrailIam(db: Db, period: Period, evaluation: Evaluation): CloudTrailIamReport {
  const verdictOf = verdicts(evaluation);
  const p = { start: period.startIso, end: period.endIso };
  const q = { all: <T>(sql: string, params: Record<string, unknown> = {}) => db.prepare(sql).all({ ...p, ...params }) as T[] };
  const principals = reviewAgentPrincipals(q).map((a): AgentPrincipalReport => ({
    arn: a.principal.arn, name: a.principal.name, agentId: a.principal.agent_id ?? "", account: a.principal.account, environment: a.principal.environment,
    source: `${a.principal.file} ${a.principal.locator}`, byLevel: a.byLevel, counts: a.counts, coverage: a.coverage,
    used: a.used.map((u) => ({ action: u.action, allowed: u.allowed, denied: u.denied, granted: u.granted })),
    destructiveHeld: a.destructive,
    destructiveCalls: q.all<Omit<DestructiveCall, "verdict"> & { id: number }>(CALLS_SQL, { arn: a.principal.arn }).map(({ id, ...c }) => ({ ...c, verdict: verdictOf(id) })),
    escalationPaths: a.escalationPaths.map((e) => `${e.id} (${e.actions.join(" + ")})`), admin: a.admin, unmapped: a.unmapped,
    policyFile: suggestedPolicyFile(a), policyJson: suggestedPolicyJson(a),
  }));
  const rows = db.prepare("SELECT source, folder, ok, result FROM cloudtrail_integrity ORDER BY source, folder").all() as { source: string; folder: string; ok: number; result: string }[];
  const integrity = rows.map((row): IntegrityReport => {
    const r = JSON.parse(row.result) as DigestVerification | null;
    return {
      source: row.source, folder: row.folder, ok: row.ok === 1, none: r === null, digests: r?.digests ?? 0, logFilesVerified: r?.logFilesVerified ?? 0,
      signatures: {
        valid: r?.signatures.filter((s) => s.status === "valid").length ?? 0,
        invalid: r?.signatures.filter((s) => s.status === "invalid").length ?? 0,
        unchecked: r?.signatures.filter((s) => s.status === "no-key" || s.status === "not-available").length ?? 0,
      },
      trails: (r?.coverage ?? []).map((c) => `${c.trail} ${c.account} ${c.region} ${c.from}..${c.to}`),
      problems: r ? integrityProblems(r) : [],
    };
  });
  const skippedRows = db
    .prepare(`SELECT source, notes, count(*) AS n FROM source_files WHERE parser = ? GROUP BY source, notes ORDER BY source, notes`)
    .all(SKIPPED_PARSER) as { source: string; notes: string | null; n: number }[];
  const skipped = skippedRows.map((r) => ({ source: r.source, reason: r.notes ? ((JSON.parse(r.notes) as string[])[0] ?? "") : "", files: r.n }));
  return { principals, integrity, skipped, managedPolicySource: managedPolicySource() };
}

/** Writes each agent identity's suggested least-privilege policy into the package (policies/…json). */
export function writeSuggestedPolicies(dir: string, report: CloudTrailIamReport | undefined): void {
  for (const p of report?.principals ?? []) {
    const file = path.join(dir, p.policyFile);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, p.policyJson);
  }
}
