import { test } from "node:test";
import assert from "node:assert/strict";
import { allActions } from "../../src/iam/action-catalog.ts";
import { classifyApiCall } from "../../src/iam/call-classes.ts";
import classRules from "../../src/iam/class-rules.json" with { type: "json" };

const DESTRUCTIVE = ["destructive", "irreversible", "logging-tamper"];
const isDestructive = (classes: string[]) => classes.some((c) => DESTRUCTIVE.includes(c));

test("whole families are classified from the IAM dataset, in CloudTrail's spelling as in IAM's", () => {
  const destructive = [
    "iam:DeleteUser", "iam:DeleteGroup", "iam:DeleteAccessKey", "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice", "iam:RemoveUserFromGroup",
    "rds:DeleteGlobalCluster", "monitoring:DeleteAlarms", "cloudwatch:DeleteAlarms", "wafv2:DeleteWebACL", "wafv2:DeleteRuleGroup", "ecr:BatchDeleteImage", "sqs:PurgeQueue",
  ];
  for (const a of destructive) assert.ok(isDestructive(classifyApiCall(a, false)), `${a}: ${classifyApiCall(a, false).join(" ")}`);
  for (const a of ["ec2:ModifyImageAttribute", "ec2:ModifySnapshotAttribute", "iam:DetachRolePolicy", "s3:PutBucketPolicy"]) {
    assert.ok(classifyApiCall(a, false).includes("privilege-change"), a);
    assert.ok(!isDestructive(classifyApiCall(a, false)), `${a} is not destructive`);
  }
  for (const a of ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "ec2:GetPasswordData"]) {
    assert.deepEqual(classifyApiCall(a, true), ["credential-access", "read"], a);
  }
  // Not everything that reads or deletes: tags, processed messages, sessions, listings.
  assert.deepEqual(classifyApiCall("ec2:DeleteTags", false), ["write"]);
  assert.deepEqual(classifyApiCall("sqs:DeleteMessage", false), ["write"]);
  assert.deepEqual(classifyApiCall("sts:AssumeRole", false), ["write"]);
  assert.deepEqual(classifyApiCall("secretsmanager:ListSecrets", true), ["read"]);
  assert.deepEqual(classifyApiCall("ec2:DescribeInstances", true), ["read"]);
});

test("the classifier over every action of the dataset: counts per class", () => {
  const counts = new Map<string, number>();
  const actions = allActions();
  for (const a of actions) for (const c of classifyApiCall(a.action, a.accessLevel === "List" || a.accessLevel === "Read" ? true : false)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const table = [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
  console.log(`${actions.length} IAM actions: ${table.map(([c, n]) => `${c} ${n}`).join(", ")}`);
  assert.ok((counts.get("destructive") ?? 0) > 2000, "Delete/Terminate/Remove… write actions");
  assert.ok((counts.get("privilege-change") ?? 0) >= 400, "every Permissions management action");
  assert.ok((counts.get("credential-access") ?? 0) >= 10);
  assert.equal((counts.get("read") ?? 0) + (counts.get("write") ?? 0), actions.length, "each action is read or write, once");
});

test("every Delete* write action is destructive, unless it is an exception with its reason", () => {
  const exceptions = new Map(classRules.exceptions.filter((e) => e.not === "destructive").map((e) => [e.action.toLowerCase(), e.reason]));
  for (const reason of exceptions.values()) assert.ok(reason.length > 40, `an exception says why: ${reason}`);
  const deletes = allActions().filter((a) => a.accessLevel === "Write" && /:(Batch)?Delete/.test(a.action));
  assert.ok(deletes.length > 1000);
  const wrong = deletes.filter((a) => isDestructive(classifyApiCall(a.action, false)) === exceptions.has(a.action.toLowerCase()));
  assert.deepEqual(wrong.map((a) => a.action), []);
  for (const action of exceptions.keys()) assert.ok(deletes.some((a) => a.action.toLowerCase() === action), `${action} is a Delete write action of the dataset`);
});
