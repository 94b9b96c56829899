import { rmSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EvidenceEvent } from "../../src/event.ts";
import agentActionsWithinBoundary from "../../src/rules/agent-actions-within-boundary.ts";
import cloudtrailAgentCallsWithinBoundary from "../../src/rules/cloudtrail-agent-calls-within-boundary.ts";
import type { Rule } from "../../src/rules/define.ts";
import inventoryAgentsBoundaryDeclared from "../../src/rules/inventory-agents-boundary-declared.ts";
import type { CommitRecord, Db } from "../../src/store/index.ts";
import { withRegisters } from "../helpers/registers.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

/**
 * The action-boundary rules against a real store seeded through the ingest writer, with the AI tool
 * inventory loaded through the real register reader: each kind of violation, and what passes.
 */
const tool = (product: string, environments: string, boundary: string | null, extra = "") =>
  `  - product: ${product}\n    owner: team@acme.example\n    environments: ${environments}\n${boundary === null ? "" : `    permissionBoundary: ${boundary}\n`}${extra}`;
const INVENTORY = `tools:\n${[
  tool("claude-code", "[production, non-production]", "{ permitted: [read, write, execute, destructive], prohibited: [irreversible, credential-access], confirmFirst: [destructive] }"),
  tool("cursor", "[non-production]", "{ permitted: [read, write, execute], prohibited: [destructive] }"),
  tool("kiro", "[non-production]", "{ permitted: [read, write, destructive], confirmFirst: [destructive] }", "    aliases: [kiro-operator]\n"),
  tool("aider", "[non-production]", null),
].join("")}`;

/** Closes a seeded store and removes its temp folder. */
function dropStore(db: Db): void {
  db.close();
  rmSync(path.dirname(db.name), { recursive: true, force: true });
}

const cursor: Partial<EvidenceEvent> = { agentProduct: "cursor", agentId: "cursor", actor: "cursor" };
const kiroCall: Partial<EvidenceEvent> = {
  sourceKind: "cloudtrail", actorKind: "agent", agentProduct: "kiro", agentId: "kiro-operator", actor: "arn:aws:sts::111122223333:assumed-role/ai-agent-operator/kiro-1",
  action: "cloudformation:DescribeStacks", classes: ["read"], command: null, sessionId: null, approval: "unknown", account: "222233334444", target: "prod-api",
};

interface Case { name: string; events: Partial<EvidenceEvent>[]; commits?: Partial<CommitRecord>[]; outcome: string; fails?: number; message?: RegExp; exceptions?: number }

function table(rule: Rule, cases: Case[]): void {
  for (const c of cases) {
    test(`${rule.id}: ${c.name}`, (t) => {
      const db = seededStore({ events: c.events.map((e, i) => ({ eventKey: `e${i}`, ...e })), commits: c.commits ?? [] });
      t.after(() => dropStore(db));
      withRegisters(db, { aiTools: INVENTORY });
      const run = runRuleOn(rule, db);
      assert.equal(run.outcome, c.outcome, JSON.stringify(run.results, null, 1));
      const fails = run.results.filter((r) => r.outcome === "fail");
      if (c.fails !== undefined) assert.equal(fails.length, c.fails, fails.map((r) => r.message).join("\n"));
      if (c.message) assert.ok(run.results.some((r) => c.message!.test(r.message)), run.results.map((r) => r.message).join("\n"));
      if (c.exceptions !== undefined) assert.equal(run.items?.filter((i) => i.result === "exception").length, c.exceptions, JSON.stringify(run.items));
      // Every action of the population is listed with its verdict.
      if (rule !== inventoryAgentsBoundaryDeclared && run.outcome !== "no-evidence") assert.equal(run.items?.length, run.population?.size);
    });
  }
}

table(agentActionsWithinBoundary, [
  { name: "actions inside the boundary pass", events: [{ classes: ["read"] }, { classes: ["write"], environment: "production" }], outcome: "pass", exceptions: 0 },
  {
    name: "a prohibited class fails even when a person approved it", events: [{ classes: ["destructive", "irreversible"], approval: "human", command: "rm -rf /data" }],
    outcome: "fail", fails: 1, message: /^claude-code ran "rm -rf \/data" \(2026-10-10T10:00:00\.000Z\): its class is prohibited \(irreversible\)\.$/, exceptions: 1,
  },
  {
    name: "an action outside the tool's environments fails", events: [{ ...cursor, classes: ["read"], environment: "production", command: "ls /srv/prod" }],
    outcome: "fail", fails: 1, message: /cursor ran \"ls \/srv\/prod\" \(.*\): it acted in production, outside the tool's environments \(non-production\)\.$/,
  },
  {
    name: "a confirm-first class without a person's confirmation fails", events: [{ classes: ["destructive"], approval: "policy", command: "kubectl delete pod x" }],
    outcome: "fail", fails: 1, message: /: its confirm-first class \(destructive\) had no person's confirmation\.$/,
  },
  { name: "a confirm-first class a person confirmed passes", events: [{ classes: ["destructive"], approval: "human" }], outcome: "pass", exceptions: 0 },
  {
    name: "a class in none of the boundary's lists is not permitted", events: [{ ...cursor, classes: ["network"] }],
    outcome: "fail", fails: 1, message: /its class is not permitted \(network; the boundary permits read, write, execute\)/,
  },
  {
    name: "each violation of one action is its own finding", events: [{ ...cursor, classes: ["destructive"], environment: "production" }],
    outcome: "fail", fails: 2, exceptions: 1,
  },
  { name: "a denied action never ran: the boundary held", events: [{ ...cursor, classes: ["destructive"], environment: "production", approval: "denied", outcome: "denied" }], outcome: "pass", exceptions: 0 },
  { name: "an environment that could not be told is not judged", events: [{ ...cursor, classes: ["read"], environment: "unknown" }], outcome: "pass" },
  {
    name: "a tool whose entry declares no boundary is one finding for all its actions", events: [{ agentProduct: "aider", agentId: null }, { agentProduct: "aider", agentId: null, eventKey: "x" }],
    outcome: "fail", fails: 1, exceptions: 2, message: /^2 actions could not be tested against a boundary: the inventory entry of aider declares no permission boundary\. The first: aider ran/,
  },
  {
    name: "a tool missing from the inventory has no boundary", events: [{ agentProduct: "windsurf", agentId: null }],
    outcome: "fail", fails: 1, message: /windsurf is not in the AI tool inventory, so no boundary is declared/,
  },
  { name: "session records are not actions", events: [{ action: "session:SessionStart", classes: [], agentProduct: "windsurf" }, { classes: ["read"] }], outcome: "pass" },
  { name: "actions outside the period are not tested", events: [{ classes: ["read"] }, { ...cursor, classes: ["destructive"], time: "2026-09-30T23:59:59.000Z" }], outcome: "pass" },
]);

table(cloudtrailAgentCallsWithinBoundary, [
  { name: "a read in a non-production account passes", events: [{ ...kiroCall, environment: "non-production" }], outcome: "pass", exceptions: 0 },
  {
    name: "an agent role deleting a stack in production is caught with no agent log",
    events: [{ ...kiroCall, action: "cloudformation:DeleteStack", classes: ["destructive", "write"], environment: "production", account: "111122223333" }],
    outcome: "fail", fails: 2,
    message: /^Agent identity of kiro called cloudformation:DeleteStack on prod-api in account 111122223333 \(.*\): it acted in production, outside the tool's environments \(non-production\)\.$/,
  },
  {
    name: "a confirm-first call is confirmed by a person's confirmation in the same tool's agent log just before",
    events: [
      { agentProduct: "kiro", agentId: "kiro-operator", classes: ["destructive"], approval: "human", time: "2026-10-10T09:55:00.000Z" },
      { ...kiroCall, action: "cloudformation:DeleteStack", classes: ["destructive", "write"], environment: "non-production" },
    ],
    outcome: "pass",
  },
  {
    name: "a confirmation older than the correlation window does not count",
    events: [
      { agentProduct: "kiro", agentId: "kiro-operator", classes: ["destructive"], approval: "human", time: "2026-10-10T09:49:59.000Z" },
      { ...kiroCall, action: "cloudformation:DeleteStack", classes: ["destructive", "write"], environment: "non-production" },
    ],
    outcome: "fail", fails: 1, message: /its confirm-first class \(destructive\) had no person's confirmation/,
  },
  {
    name: "a prohibited class by an agent role fails", events: [{ ...kiroCall, agentProduct: "claude-code", agentId: "claude-code", action: "secretsmanager:GetSecretValue", classes: ["credential-access"], environment: "non-production" }],
    outcome: "fail", fails: 1, message: /its class is prohibited \(credential-access\)/,
  },
  { name: "a denied call never ran", events: [{ ...kiroCall, action: "iam:AttachRolePolicy", classes: ["privilege-change", "write"], outcome: "denied", environment: "production" }], outcome: "pass" },
  {
    name: "an agent identity whose tool is not inventoried has no boundary", events: [{ ...kiroCall, agentProduct: "devin", agentId: "devin", environment: "non-production" }],
    outcome: "fail", fails: 1, message: /devin is not in the AI tool inventory, so no boundary is declared/,
  },
  {
    name: "calls by people are not in the population: an empty one on one day of data is not tested",
    events: [{ ...kiroCall, actorKind: "human", agentProduct: null, agentId: null, classes: ["destructive"], environment: "production" }], outcome: "no-evidence",
  },
]);

table(inventoryAgentsBoundaryDeclared, [
  { name: "an agent with a boundary passes", events: [{}], outcome: "pass" },
  {
    name: "an agent used only in commits whose entry declares no boundary fails", events: [{}], commits: [{ authorKind: "agent", agentProduct: "aider" }],
    outcome: "fail", fails: 1, message: /^Agent aider was used in 2026-10 \(1 commit in git\) but its inventory entry declares no permission boundary\.$/,
  },
  {
    name: "an agent role matched through an alias is judged by its tool's entry", events: [{}, { ...kiroCall, environment: "non-production" }],
    outcome: "pass", message: /Agent kiro was used in 2026-10 \(1 record in cloudtrail\) and has a declared permission boundary/,
  },
  { name: "an agent not in the inventory has no boundary", events: [{}, { agentProduct: "windsurf" }], outcome: "fail", fails: 1, message: /Agent windsurf .* not in the AI tool inventory/ },
]);

test("register: a class both permitted and prohibited is rejected, naming the row", (t) => {
  const db = seededStore({});
  t.after(() => dropStore(db));
  assert.throws(() => withRegisters(db, { aiTools: `tools:\n${tool("cursor", "[non-production]", "{ permitted: [read, destructive], prohibited: [destructive] }")}` }),
    /ai-tools\.yaml: row 1 \(cursor\).*permissionBoundary\.prohibited: "destructive" is also permitted or confirm-first/);
});
