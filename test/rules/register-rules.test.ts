import { test } from "node:test";
import assert from "node:assert/strict";
import type { EvidenceEvent } from "../../src/event.ts";
import type { Rule } from "../../src/rules/define.ts";
import inventoryAgentsInUseRegistered from "../../src/rules/inventory-agents-in-use-registered.ts";
import inventoryDestructiveAgentsGated from "../../src/rules/inventory-destructive-agents-gated.ts";
import policiesAiUsageAcknowledged from "../../src/rules/policies-ai-usage-acknowledged.ts";
import policiesDocumentsReviewed from "../../src/rules/policies-documents-reviewed.ts";
import settingsAgentsMatchBaseline from "../../src/rules/settings-agents-match-baseline.ts";
import vendorsAiVendorsAssessed from "../../src/rules/vendors-ai-vendors-assessed.ts";
import { insertAgentSettings, type AgentSettingsRecord } from "../../src/store/agent-settings.ts";
import type { CommitRecord } from "../../src/store/index.ts";
import { withRegisters, type RegisterTexts } from "../helpers/registers.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

/**
 * Table-driven tests for the register-backed rules, each against a real SQLite store seeded
 * through the ingest writer, with the registers loaded through the real reader.
 */
interface Case {
  name: string;
  events?: Partial<EvidenceEvent>[];
  commits?: Partial<CommitRecord>[];
  registers?: RegisterTexts;
  settings?: Partial<AgentSettingsRecord>[];
  outcome: string;
  fails?: number;
  message?: RegExp;
}

const tool = (products: string, boundary: string, extra = "") => `  - product: ${products}\n    owner: team@acme.example\n    environments: [production]\n    permissionBoundary: ${boundary}\n${extra}`;
const TOOLS = (...entries: string[]) => `tools:\n${entries.join("")}`;
const start = (person: string, i = 0): Partial<EvidenceEvent> => ({ action: "session:SessionStart", actor: person, classes: [], command: null, sessionId: `s${i}` });
const cloudAgent: Partial<EvidenceEvent> = { sourceKind: "cloudtrail", actorKind: "agent", agentProduct: "kiro", agentId: "kiro-operator", action: "cloudformation:DescribeStacks", command: null, sessionId: "ASIA1" };

function run(rule: Rule, c: Case) {
  const db = seededStore({ events: (c.events ?? []).map((e, i) => ({ eventKey: `e${i}`, ...e })), commits: c.commits ?? [] });
  for (const s of c.settings ?? []) {
    insertAgentSettings(db, 1, {
      product: "claude-code", scope: "shared", defaultMode: "default", sandbox: null, bypassDisabled: null, bypassDefault: false, rules: [], probes: [],
      remarks: [], locator: "file", ...s,
    });
  }
  if (c.registers) withRegisters(db, c.registers);
  return runRuleOn(rule, db);
}

function table(rule: Rule, cases: Case[]): void {
  for (const c of cases) {
    test(`${rule.id}: ${c.name}`, () => {
      const result = run(rule, c);
      assert.equal(result.outcome, c.outcome, JSON.stringify(result.results));
      if (c.fails !== undefined) assert.equal(result.results.filter((r) => r.outcome === "fail").length, c.fails);
      if (c.message) assert.ok(result.results.some((r) => c.message!.test(r.message)), result.results.map((r) => r.message).join("\n"));
    });
  }
}

table(inventoryAgentsInUseRegistered, [
  { name: "inventoried agent passes", events: [{}], registers: { aiTools: TOOLS(tool("claude-code", "{ permitted: [read] }")) }, outcome: "pass" },
  {
    name: "an agent role in CloudTrail missing from the inventory is a shadow agent", events: [{}, cloudAgent],
    registers: { aiTools: TOOLS(tool("claude-code", "{ permitted: [read] }")) }, outcome: "fail", fails: 1, message: /^Agent kiro was used in 2026-10 \(1 record in cloudtrail\)/,
  },
  { name: "aliases count as inventoried", events: [{}, cloudAgent], registers: { aiTools: TOOLS(tool("claude-code", "{}"), tool("kiro-cli", "{}", "    aliases: [KIRO]\n")) }, outcome: "pass" },
  {
    name: "an AI co-authored commit by an uninventoried product fails", events: [{}], commits: [{ authorKind: "agent", agentProduct: "cursor" }],
    registers: { aiTools: TOOLS(tool("claude-code", "{}")) }, outcome: "fail", fails: 1, message: /Agent cursor .*1 commit in git/,
  },
  {
    name: "an MCP server no tool is approved for fails", events: [{}, { action: "mcp__linear__create_issue" }, { action: "mcp__github__get_issue" }],
    registers: { aiTools: TOOLS(tool("claude-code", "{}", "    mcpServers: [github]\n")) }, outcome: "fail", fails: 1, message: /MCP server mcp:linear/,
  },
  { name: "activity outside the period is not counted", events: [{}, { ...cloudAgent, time: "2026-09-30T23:00:00.000Z" }], registers: { aiTools: TOOLS(tool("claude-code", "{}")) }, outcome: "pass" },
  { name: "an empty inventory makes every agent a shadow agent", events: [{}], registers: { aiTools: "tools: []\n" }, outcome: "fail", fails: 1 },
  { name: "no inventory register is no-evidence", events: [{}], outcome: "no-evidence", message: /No registers\.aiTools register configured/ },
  { name: "no agent logs in the period is no-evidence", events: [cloudAgent], registers: { aiTools: "tools: []\n" }, outcome: "no-evidence" },
]);

table(inventoryDestructiveAgentsGated, [
  { name: "destructive rights behind a confirmation gate pass", registers: { aiTools: TOOLS(tool("claude-code", "{ permitted: [destructive], confirmFirst: [destructive] }")) }, outcome: "pass" },
  {
    name: "ungated destructive rights with a compensating control pass", outcome: "pass", message: /compensating: termination protection/,
    registers: { aiTools: TOOLS(tool("kiro", "{ permitted: [destructive] }", "    compensatingControls: [termination protection on prod-*]\n")) },
  },
  {
    name: "ungated destructive rights without compensation fail", outcome: "fail", fails: 1, message: /kiro \(owner team@acme\.example\) may take destructive, irreversible actions without a confirmation gate/,
    registers: { aiTools: TOOLS(tool("kiro", "{ permitted: [destructive, irreversible], confirmFirst: [] }"), tool("claude-code", "{ permitted: [read] }")) },
  },
  { name: "gating destructive but not irreversible still fails", registers: { aiTools: TOOLS(tool("kiro", "{ permitted: [destructive, irreversible], confirmFirst: [destructive] }")) }, outcome: "fail", message: /may take irreversible actions/ },
  { name: "no tool with destructive rights is not applicable", registers: { aiTools: TOOLS(tool("cursor", "{ permitted: [read], prohibited: [destructive] }")) }, outcome: "not-applicable" },
  { name: "no inventory register is no-evidence", outcome: "no-evidence" },
]);

const VENDORS = (nextDue: string, lastAssessed = "lastAssessed: 2026-01-01, ") => `vendors:\n  - { vendor: Anthropic, tier: 1, services: [claude-code, "mcp:github"], ${lastAssessed}nextDue: ${nextDue} }\n`;
table(vendorsAiVendorsAssessed, [
  { name: "a vendor assessed and not yet due passes", events: [{}], registers: { vendors: VENDORS("2027-01-01") }, outcome: "pass" },
  { name: "due on the period's last day still passes", events: [{}], registers: { vendors: VENDORS("2026-10-31") }, outcome: "pass" },
  { name: "an overdue assessment fails", events: [{}], registers: { vendors: VENDORS("2026-10-15") }, outcome: "fail", message: /overdue: next due 2026-10-15 \(last assessed 2026-01-01\)/ },
  { name: "a vendor never assessed fails", events: [{}], registers: { vendors: VENDORS("2027-01-01", "") }, outcome: "fail", message: /never been assessed/ },
  { name: "an MCP server is judged through its vendor", events: [{}, { action: "mcp__github__list_prs" }], registers: { vendors: VENDORS("2027-01-01") }, outcome: "pass", message: /provides claude-code, mcp:github/ },
  { name: "a product no vendor provides fails", events: [{}, cloudAgent], registers: { vendors: VENDORS("2027-01-01") }, outcome: "fail", fails: 1, message: /^kiro was used in 2026-10 but no vendor/ },
  { name: "no vendor register is no-evidence", events: [{}], outcome: "no-evidence" },
]);

const POLICY = (version = "2.0") =>
  `documents:\n  - { id: AI-USE, title: AI usage policy, type: ai-usage-policy, version: "${version}", owner: ciso@x, reviewed: 2026-09-01, nextReview: 2027-09-01 }\n`;
const ACK = (version: string, date = "2026-09-03", person = "Maria@Acme.example") => `  - { document: AI-USE, version: "${version}", person: ${person}, acknowledged: ${date} }\n`;
table(policiesAiUsageAcknowledged, [
  { name: "a user who acknowledged the current version passes (e-mails compared case-insensitively)", events: [start("maria@acme.example"), {}], registers: { policies: `${POLICY()}acknowledgements:\n${ACK("2.0")}` }, outcome: "pass" },
  {
    name: "a user who acknowledged an older version only fails", events: [start("maria@acme.example"), {}], registers: { policies: `${POLICY()}acknowledgements:\n${ACK("1.0", "2026-02-01")}` },
    outcome: "fail", fails: 1, message: /maria@acme\.example used agents in 2026-10 \(1 agent session\) without acknowledging AI-USE "AI usage policy" version 2\.0 \(last acknowledged version 1\.0 on 2026-02-01\)/,
  },
  { name: "an acknowledgement after the period does not count", events: [start("maria@acme.example"), {}], registers: { policies: `${POLICY()}acknowledgements:\n${ACK("2.0", "2026-11-05")}` }, outcome: "fail" },
  {
    name: "the person behind an agent role in CloudTrail counts too", outcome: "fail", fails: 1, message: /ops@acme\.example used agents in 2026-10 \(1 AWS call through an agent role\)/,
    events: [start("maria@acme.example"), {}, { ...cloudAgent, attrs: { sourceIdentity: "ops@acme.example" } }], registers: { policies: `${POLICY()}acknowledgements:\n${ACK("2.0")}` },
  },
  { name: "no AI usage policy in the register fails", events: [start("maria@acme.example"), {}], registers: { policies: "documents: []\n" }, outcome: "fail", message: /no document of type ai-usage-policy/ },
  { name: "no agent logs in the period is no-evidence", events: [cloudAgent], registers: { policies: POLICY() }, outcome: "no-evidence" },
  { name: "no policies register is no-evidence", events: [start("maria@acme.example"), {}], outcome: "no-evidence" },
]);

table(policiesDocumentsReviewed, [
  { name: "documents within their review date pass", registers: { policies: POLICY() }, outcome: "pass" },
  {
    name: "a document past its review date fails", outcome: "fail", message: /RB-1 "Runbook" v1 \(owner sre@x\) was due for review on 2026-10-01/,
    registers: { policies: `${POLICY()}  - { id: RB-1, title: Runbook, type: runbook, version: 1, owner: sre@x, reviewed: 2025-10-01, nextReview: 2026-10-01 }\n` },
  },
  { name: "no policies register is no-evidence", outcome: "no-evidence" },
]);

const BASELINE = `baselines:
  - id: std
    product: claude-code
    requirements:
      - { setting: defaultMode, notEquals: bypassPermissions }
      - { setting: deny, includes: ["Bash(terraform destroy *)"] }
      - { setting: destructiveAllowed, equals: 0 }
`;
const denyRule = { list: "deny" as const, rule: "Bash(terraform destroy:*)", tool: "Bash", specifier: "terraform destroy:*", destructive: true };
table(settingsAgentsMatchBaseline, [
  { name: "settings that meet the baseline pass (legacy ':*' rules match)", settings: [{ rules: [denyRule] }], registers: { configBaselines: BASELINE }, outcome: "pass" },
  {
    name: "a local file in bypass mode is drift naming the file", outcome: "fail", fails: 1, message: /claude-code settings drift from baseline std: fixture\.jsonl: defaultMode is "bypassPermissions", which the baseline forbids/,
    settings: [{ rules: [denyRule] }, { scope: "local", defaultMode: "bypassPermissions", bypassDefault: true }], registers: { configBaselines: BASELINE },
  },
  { name: "a missing deny rule is drift", settings: [{}], registers: { configBaselines: BASELINE }, outcome: "fail", fails: 1, message: /deny rules lack "Bash\(terraform destroy \*\)"/ },
  {
    name: "a file whose rules let destructive commands run unasked is drift", outcome: "fail", fails: 1, message: /fixture\.jsonl: destructiveAllowed is 2, baseline requires 0/,
    settings: [{ rules: [denyRule], probes: [{ command: "rm -rf /", verdict: "allow", rule: "Bash(*)" }, { command: "terraform destroy", verdict: "allow", rule: "Bash(*)" }] }],
    registers: { configBaselines: BASELINE },
  },
  { name: "a baseline product without a settings file is no-evidence", settings: [{ rules: [denyRule] }], registers: { configBaselines: `${BASELINE}  - { id: c, product: cursor, requirements: [{ setting: deny, includes: [Shell(rm)] }] }\n` }, outcome: "no-evidence" },
  { name: "no ingested settings file is no-evidence", registers: { configBaselines: BASELINE }, outcome: "no-evidence", message: /No agent-settings data/ },
  { name: "no baseline register is no-evidence", settings: [{ rules: [denyRule] }], outcome: "no-evidence" },
]);
