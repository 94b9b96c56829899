import type { ControlResult, Finding, RuleRun } from "../../src/evaluate.ts";
import type { ReportModel } from "../../src/report/model.ts";

/**
 * A complete report model without a store, for renderer tests and the render benchmark:
 * `controls` controls (one rule each), `findings` findings spread over them.
 */
export function syntheticModel(options: { controls?: number; findings?: number } = {}): ReportModel {
  const nControls = options.controls ?? 3;
  const nFindings = options.findings ?? 4;
  const rules: RuleRun[] = Array.from({ length: nControls }, (_, i) => ({
    id: `rule-${i}`, title: `Rule ${i} holds`, rationale: `Why rule ${i} matters.`, severity: i % 2 ? "high" : "critical", sources: ["agent-log"],
    registers: [], frequency: null, controlIds: [`CTL.${i}`], production: false, outcome: "fail", population: { description: "Agent tool calls", query: "SELECT 1", size: 1000 + i },
    results: [], items: null, missingSources: [], missingRegisters: [], incomplete: [],
  }));
  const findings: Finding[] = Array.from({ length: nFindings }, (_, i) => ({
    id: `f${String(i).padStart(11, "0")}`, ruleId: `rule-${i % nControls}`, controlIds: [`CTL.${i % nControls}`], severity: i % 3 ? "high" : "critical",
    subject: `agent-${i % 7}`, message: `Agent agent-${i % 7} ran a destructive command number ${i} in production without approval.`,
    evidence: [{ ref: `event:${i}`, file: `logs/agent/2026-10/file-${i % 50}.jsonl`, locator: `line ${i + 1}` }], time: "2026-10-15T10:00:00.000Z", state: "open",
  }));
  const controls: ControlResult[] = rules.map((r, i) => ({
    id: `CTL.${i}`, framework: i % 2 ? "iso27001" : "soc2", frameworkName: i % 2 ? "ISO/IEC 27001:2022 Annex A" : "SOC 2 Trust Services Criteria",
    title: `Control number ${i}`, description: `Paraphrase of control ${i}.`, frequency: "continuous", related: [], rules: [r.id], status: "deficient",
    reason: `Failing: ${r.id}.`, findings: findings.filter((f) => f.ruleId === r.id).length, openFindings: 0, acceptedFindings: 0, acceptances: [],
    coverage: { rules: 1, sufficient: 1 }, tested: true, incomplete: [],
  }));
  return {
    meta: {
      organisation: "Example Org", title: "AI Agent Governance Evidence", period: "2026-10", periodStart: "2026-10-01T00:00:00.000Z", periodEnd: "2026-11-01T00:00:00.000Z",
      timezone: "UTC", generatedAt: "2026-11-01T00:00:00.000Z", buildId: "0123456789abcdef", frameworks: [{ id: "soc2", name: "SOC 2", version: "2017" }],
      toolVersion: "0.0.0-test", configSha256: "0".repeat(64), preparedBy: null,
    },
    scope: { productionDefined: true, sources: [], agents: [], production: { awsAccounts: [], branches: ["main"], paths: [], resourcePatterns: [] } },
    evaluation: {
      rules, controls, findings, acceptances: [], outOfScope: [],
      coverage: { overall: { tested: nControls, inScope: nControls, ratio: 1 }, byFramework: { soc2: { tested: nControls, inScope: nControls, ratio: 1 } } },
    },
    sources: [], agents: [], destructiveInProduction: { rule: "agent-destructive-actions-human-approved", tested: true, notTested: null, size: 0, exceptions: 0, rows: [] }, cloud: { events: 0, agentEvents: 0, agentDestructive: 0 },
    changes: { total: 0, aiAuthored: 0, bots: 0, reviewed: 0, unreviewed: 0, unknown: 0 }, rejects: { total: 0, byFile: [] },
  };
}
