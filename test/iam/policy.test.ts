import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expandActionPattern } from "../../src/iam/action-catalog.ts";
import { principalsOfAuthorizationDetails } from "../../src/ingest/iam/authorization-details.ts";
import { iamActionForCall, isDataEventAction, isNeverLogged } from "../../src/iam/event-actions.ts";
import { effectiveGrants } from "../../src/iam/policy.ts";
import { SAMPLE } from "../helpers/workspace.ts";

const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

test("wildcards expand to concrete actions with normalised access levels", () => {
  const ec2 = expandActionPattern("ec2:*");
  assert.ok(ec2.length > 500, `${ec2.length} ec2 actions`);
  assert.ok(ec2.some((a) => a.action === "ec2:TerminateInstances" && a.accessLevel === "Write"));
  assert.deepEqual(expandActionPattern("IAM:passrole").map((a) => a.action), ["iam:PassRole"]);
  const gets = expandActionPattern("s3:Get*");
  assert.ok(gets.every((a) => a.action.startsWith("s3:Get")));
  assert.equal(expandActionPattern("iam:AttachRolePolicy")[0]!.accessLevel, "Permissions management");
  assert.equal(expandActionPattern("iam:TagRole")[0]!.accessLevel, "Tagging");
  assert.equal(expandActionPattern("nosuchservice:*").length, 0);
});

test("NotAction grants everything else; an unconditional Deny on * removes; conditions and resources are kept as flags", () => {
  const grants = effectiveGrants([
    { name: "power", document: doc({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }) },
    { name: "tags", document: doc({ Effect: "Allow", Action: "iam:TagRole", Resource: "arn:aws:iam::1:role/x", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }) },
    { name: "deny", document: JSON.stringify(doc({ Effect: "Deny", Action: "ec2:TerminateInstances", Resource: "*" })) },
  ]);
  assert.ok(grants.has("cloudformation:DeleteStack"));
  assert.ok(!grants.has("iam:PassRole"));
  assert.ok(!grants.has("ec2:TerminateInstances"), "denied");
  const tag = grants.get("iam:TagRole")!;
  assert.deepEqual([tag.resourceScope, tag.conditional, tag.via], ["limited", true, ["tags"]]);
  const bounded = effectiveGrants([{ name: "all", document: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }], doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }));
  assert.ok([...bounded.keys()].every((a) => a.startsWith("s3:")), "a permissions boundary caps the grants");
});

test("authorization details: default policy version, group policies, AWS managed policies from the offline snapshot", () => {
  const dump = JSON.parse(readFileSync(path.join(SAMPLE, "iam", "authorization-details.json"), "utf8"));
  const principals = principalsOfAuthorizationDetails(dump);
  const agent = principals.find((p) => p.name === "ai-agent-operator")!;
  const grants = effectiveGrants(agent.policies, agent.boundary);
  assert.ok(grants.has("cloudformation:DeleteStack") && grants.has("ec2:TerminateInstances") && grants.has("iam:PassRole"));
  assert.ok(!grants.has("account:CloseAccount"), "the policy's Deny");
  assert.ok(!grants.has("iam:AttachRolePolicy"));
  const dev = principals.find((p) => p.name.startsWith("AWSReservedSSO"))!;
  assert.equal(dev.policies[0]!.source, "aws-managed-snapshot");
  assert.deepEqual(dev.unresolved, []);
  const admin = principals.find((p) => p.kind === "user")!;
  assert.match(admin.policies[0]!.name, /^group admins: AdministratorAccess/);
  const unresolved = principalsOfAuthorizationDetails({ RoleDetailList: [{ Arn: "arn:aws:iam::1:role/r", RoleName: "r", AttachedManagedPolicies: [{ PolicyArn: "arn:aws:iam::1:policy/gone" }] }] });
  assert.deepEqual(unresolved[0]!.unresolved, ["arn:aws:iam::1:policy/gone"]);
});

test("eventName to IAM action: versioned Lambda names, S3 renames, CloudWatch's eventSource, never-logged and data events", () => {
  assert.equal(iamActionForCall("lambda.amazonaws.com:UpdateFunctionCode20150331v2"), "lambda:UpdateFunctionCode");
  assert.equal(iamActionForCall("s3:ListObjectsV2"), "s3:ListBucket");
  assert.equal(iamActionForCall("s3:HeadObject"), "s3:GetObject");
  assert.equal(iamActionForCall("monitoring:GetMetricData"), "cloudwatch:GetMetricData");
  assert.equal(iamActionForCall("nosuch:Thing"), null);
  assert.ok(isNeverLogged("iam:PassRole"));
  assert.ok(isDataEventAction("s3:GetObject") && !isDataEventAction("s3:ListAllMyBuckets"));
});
