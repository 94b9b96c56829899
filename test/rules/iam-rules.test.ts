import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { EvidenceEvent } from "../../src/event.ts";
import { createRuleContext } from "../../src/evaluate.ts";
import { grantedActions, reviewAgentPrincipals } from "../../src/iam/access-review.ts";
import { createEnrichContext } from "../../src/ingest/enrich.ts";
import { principalOfPolicyFile } from "../../src/ingest/iam/authorization-details.ts";
import { toPrincipalRecord } from "../../src/ingest/iam/parser.ts";
import { parsePeriod } from "../../src/period.ts";
import iamAgentAdminAbsent from "../../src/rules/iam-agent-admin-absent.ts";
import iamAgentDestructiveRightsAbsent from "../../src/rules/iam-agent-destructive-rights-absent.ts";
import iamAgentEscalationPathsAbsent from "../../src/rules/iam-agent-escalation-paths-absent.ts";
import iamAgentUnusedPermissionsRemoved from "../../src/rules/iam-agent-unused-permissions-removed.ts";
import { writeIamPrincipal } from "../../src/store/iam.ts";
import { FileWriter, openStore, type Db } from "../../src/store/index.ts";
import { event, runRuleOn } from "../helpers/rule-tester.ts";
import { testConfig } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const ROLE = "arn:aws:iam::111122223333:role/ai-agent-operator";

/** A store with one agent role (from a policy document) and the CloudTrail calls it made. */
function store(policy: object, calls: Partial<EvidenceEvent>[], roleArn = ROLE): Db {
  const db = openStore(path.join(tempDir("evidence-iam-"), "e.db"));
  const ctx = createEnrichContext(testConfig());
  const p = principalOfPolicyFile(policy, "iam/ai-agent-operator.json")!;
  const w = new FileWriter(db, { source: "iam", path: "iam/ai-agent-operator.json", kind: "iam", sha256: "0", size: 0, parser: "iam", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z" });
  // A real dump gives the ARN; the policy-file principal is re-homed onto the role here.
  writeIamPrincipal(db, w, toPrincipalRecord({ ...p, kind: "role", arn: roleArn, account: roleArn.split(":")[4]! }, ctx));
  w.commit();
  const e = new FileWriter(db, { source: "ct", path: "ct.json", kind: "cloudtrail", sha256: "1", size: 0, parser: "cloudtrail", parserVersion: "2", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z" });
  const base = { sourceKind: "cloudtrail" as const, actorKind: "agent" as const, agentId: "ops-agent", account: "111122223333", region: "eu-west-1", environment: "production" as const };
  calls.forEach((c, i) => e.event(event({ ...base, actor: `${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/s`, attrs: { roleArn, eventCategory: "Management" }, ...c }, i)));
  // Someone else's call in the account: the logs cover it even where the agent did nothing.
  e.event(event({ ...base, actorKind: "human", agentId: null, actor: "arn:aws:iam::111122223333:user/dev", action: "s3:ListBuckets", attrs: { eventCategory: "Management" } }, 99));
  e.commit();
  return db;
}

const operator = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["cloudformation:*", "ec2:*", "iam:PassRole", "s3:GetObject"], Resource: "*" }] };
const incident = [
  { action: "cloudformation:DeleteStack" }, { action: "cloudformation:CreateStack" },
  { action: "iam:AttachRolePolicy", outcome: "denied" as const },
];

test("review: used (allowed or denied), never-logged, not-covered data events, and unused management actions", () => {
  const db = store(operator, incident);
  const q = createRuleContext(db, parsePeriod("2026-10"));
  const [a] = reviewAgentPrincipals(q);
  const granted = grantedActions(q, a!.principal);
  const status = (action: string) => granted.find((g) => g.action === action)?.status;
  assert.equal(status("cloudformation:DeleteStack"), "used");
  assert.equal(status("iam:PassRole"), "never-logged");
  assert.equal(status("s3:GetObject"), "not-covered", "no data events were logged");
  assert.equal(status("ec2:TerminateInstances"), "unused");
  const denied = a!.used.find((u) => u.action === "iam:AttachRolePolicy")!;
  assert.deepEqual([denied.denied, denied.granted], [1, false]);
  assert.deepEqual(a!.suggestedPolicy.Statement[0]!.Action, ["cloudformation:CreateStack", "cloudformation:DeleteStack"]);
  assert.ok(a!.byLevel.Write.granted > 100 && a!.byLevel.Write.used === 2);
});

test("no action of a principal whose account has no logs in the period is called unused", () => {
  const db = store(operator, [], "arn:aws:iam::999999999999:role/ai-agent-operator");
  const [a] = reviewAgentPrincipals(createRuleContext(db, parsePeriod("2026-10")));
  assert.equal(a!.counts.unused, 0);
  assert.equal(a!.counts["not-covered"], a!.grantedCount - a!.counts["never-logged"]);
});

test("iam-agent-destructive-rights-absent: fails for operator rights in production, passes for read-only", () => {
  const fail = runRuleOn(iamAgentDestructiveRightsAbsent, store(operator, incident));
  assert.equal(fail.outcome, "fail");
  assert.match(fail.results[0]!.message, /cloudformation:DeleteStack/);
  assert.match(fail.results[0]!.message, /it used cloudformation:DeleteStack/);
  assert.equal(fail.results[0]!.evidence[0]!.ref, `iam:${ROLE}`);
  const ok = runRuleOn(iamAgentDestructiveRightsAbsent, store({ Statement: [{ Effect: "Allow", Action: "cloudformation:Describe*", Resource: "*" }] }, incident));
  assert.equal(ok.outcome, "pass");
});

test("iam-agent-admin-absent: *:* fails, PowerUser-style NotAction iam:* does not", () => {
  assert.equal(runRuleOn(iamAgentAdminAbsent, store({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, incident)).outcome, "fail");
  assert.equal(runRuleOn(iamAgentAdminAbsent, store({ Statement: [{ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }] }, incident)).outcome, "pass");
});

test("iam-agent-escalation-paths-absent: PassRole + CreateStack is a path", () => {
  const run = runRuleOn(iamAgentEscalationPathsAbsent, store(operator, incident));
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /PassExistingRoleToCloudFormation \(iam:PassRole \+ cloudformation:CreateStack\)/);
  assert.equal(runRuleOn(iamAgentEscalationPathsAbsent, store({ Statement: [{ Effect: "Allow", Action: "cloudformation:*", Resource: "*" }] }, incident)).outcome, "pass");
});

test("iam-agent-unused-permissions-removed: names the suggested policy; no IAM data is no-evidence", () => {
  const run = runRuleOn(iamAgentUnusedPermissionsRemoved, store(operator, incident));
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /Suggested least-privilege policy: policies\/111122223333-ai-agent-operator\.json/);
  const narrow = runRuleOn(iamAgentUnusedPermissionsRemoved, store({ Statement: [{ Effect: "Allow", Action: ["cloudformation:DeleteStack", "cloudformation:CreateStack"], Resource: "*" }] }, incident));
  assert.equal(narrow.outcome, "pass");
  const db = openStore(path.join(tempDir(), "e.db"));
  const e = new FileWriter(db, { source: "ct", path: "ct.json", kind: "cloudtrail", sha256: "1", size: 0, parser: "cloudtrail", parserVersion: "2", contextHash: "x", ingestedAt: "x" });
  e.event(event({ sourceKind: "cloudtrail", action: "s3:ListBuckets" }));
  e.commit();
  assert.equal(runRuleOn(iamAgentUnusedPermissionsRemoved, db).outcome, "no-evidence");
});
