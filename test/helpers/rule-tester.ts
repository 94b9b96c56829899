import path from "node:path";
import type { EvidenceEvent } from "../../src/event.ts";
import { createRuleContext, runRule, type RuleRun } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import type { Rule } from "../../src/rules/define.ts";
import { FileWriter, openStore, type CommitRecord, type Db } from "../../src/store/index.ts";
import { tempDir } from "./workspace.ts";

/** A real SQLite store in a temp folder, seeded through the same writer ingest uses. */
export function seededStore(seed: { events?: Partial<EvidenceEvent>[]; commits?: Partial<CommitRecord>[] }): Db {
  const db = openStore(path.join(tempDir("evidence-store-"), "evidence.db"));
  const writer = new FileWriter(db, {
    source: "test", path: "fixture.jsonl", kind: "test", sha256: "0".repeat(64), size: 0, parser: "test", parserVersion: "1",
    contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z",
  });
  (seed.events ?? []).forEach((e, i) => writer.event(event(e, i)));
  (seed.commits ?? []).forEach((c, i) => writer.commit_(commit(c, i)));
  writer.commit();
  return db;
}

export function event(over: Partial<EvidenceEvent>, i = 0): EvidenceEvent {
  return {
    sourceKind: "agent-log", eventKey: `k${i}`, time: "2026-10-10T10:00:00.000Z", actor: "claude-code", actorKind: "agent", agentId: "claude-code",
    agentProduct: "claude-code", sessionId: "s", action: "Bash", classes: ["execute"], target: null, environment: "non-production",
    outcome: "succeeded", approval: "policy", approvalEvidence: "rule", command: "ls", account: null, region: null, locator: `line ${i + 1}`,
    attrs: {}, ...over,
  };
}

export function commit(over: Partial<CommitRecord>, i = 0): CommitRecord {
  return {
    repo: "app", sha: i.toString(16).padStart(40, "a"), parents: [], authorName: "Dev", authorEmail: "dev@example.com", authorTime: "2026-10-10T10:00:00.000Z",
    committerName: "Dev", committerEmail: "dev@example.com", committerTime: "2026-10-10T10:00:00.000Z", subject: `change ${i}`, body: "",
    onProduction: true, authorKind: "human", agentProduct: null, aiSignal: null, review: "reviewed", reviewEvidence: "Reviewed-by: R",
    reviewStrength: "trailer", filesChanged: null, locator: `commit ${i}`, ...over,
  };
}

export function runRuleOn(rule: Rule, db: Db, period = "2026-10"): RuleRun {
  return runRule(rule, createRuleContext(db, parsePeriod(period)), []);
}

/**
 * One benign record on every day of October 2026, so that a source demonstrably covers the period:
 * only then may a rule pass on an empty population.
 */
export function everyDayOfOctober(sourceKind: "agent-log" | "cloudtrail"): Partial<EvidenceEvent>[] {
  return Array.from({ length: 31 }, (_, d) => ({
    sourceKind, eventKey: `${sourceKind}-day-${d + 1}`, time: `2026-10-${String(d + 1).padStart(2, "0")}T12:00:00.000Z`, classes: ["read"],
    ...(sourceKind === "cloudtrail" ? { action: "s3:ListBuckets", actor: "arn:aws:iam::111111111111:user/reader", actorKind: "human" as const, agentId: null, agentProduct: null, command: null } : {}),
  }));
}
