import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const ROLES = 1000;
const ACCOUNT = "111122223333";

/**
 * `aws iam get-account-authorization-details` output with `roles` administrator roles: each has
 * an inline `Action: "*"` policy plus AWS's AdministratorAccess (resolved from the offline
 * snapshot), and one statement of its own, so no two neighbours share their statements.
 */
function adminDump(roles: number): object {
  const RoleDetailList = Array.from({ length: roles }, (_, i) => ({
    Path: "/", RoleName: `agent-${i}`, RoleId: `AROA${String(i).padStart(17, "0")}`, Arn: `arn:aws:iam::${ACCOUNT}:role/agent-${i}`,
    CreateDate: "2026-01-01T00:00:00Z",
    AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] },
    RolePolicyList: [{
      PolicyName: `admin-${i}`,
      PolicyDocument: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Allow", Action: `ec2:Describe${String.fromCharCode(65 + (i % 26))}*`, Resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-${i}` },
      ] },
    }],
    AttachedManagedPolicies: [{ PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }],
    InstanceProfileList: [], Tags: [],
  }));
  return { UserDetailList: [], GroupDetailList: [], RoleDetailList, Policies: [] };
}

function workspace(roles: number): string {
  const ws = tempDir("evidence-iam-scale-");
  mkdirSync(path.join(ws, "iam"));
  mkdirSync(path.join(ws, "cloudtrail"));
  writeFileSync(path.join(ws, "iam", "authorization-details.json"), JSON.stringify(adminDump(roles)));
  // One call by one of the roles, so the rules have CloudTrail to judge use against.
  writeFileSync(path.join(ws, "cloudtrail", "calls.json"), JSON.stringify({ Records: [{
    eventVersion: "1.09", eventTime: "2026-10-05T10:00:00Z", eventSource: "cloudformation.amazonaws.com", eventName: "DeleteStack",
    awsRegion: "eu-west-1", eventID: "7f1c0a9e-0000-4000-8000-000000000001", eventType: "AwsApiCall", recipientAccountId: ACCOUNT,
    userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/agent-0/s`, accountId: ACCOUNT,
      sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCOUNT}:role/agent-0`, userName: "agent-0" } } },
    requestParameters: { stackName: "prod" },
  }] }));
  writeFileSync(path.join(ws, "evidence.config.yaml"), [
    "organisation:", "  name: Scale Co", "sources:",
    "  - name: iam", "    kind: iam", '    paths: ["iam/*.json"]',
    "  - name: cloudtrail", "    kind: cloudtrail", '    paths: ["cloudtrail/*.json"]',
    "agents:", "  - id: ops-agent", "    product: kiro", "    owner: sre@scale.example", "    match:", '      awsRoles: ["arn:aws:iam::*:role/agent-*"]',
    "environments:", "  production:", `    awsAccounts: ["${ACCOUNT}"]`, "",
  ].join("\n"));
  return ws;
}

test("1,000 administrator roles ingest and the iam rules evaluate them in under 500 MB, at a few rows per role", (t) => {
  const ws = workspace(ROLES);
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const child = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "test", "iam", "admin-scale-child.ts"), ws], {
    cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
    code: number; outcomes: Record<string, Record<string, number>>; rows: { principals: number; statements: number }; maxRssMb: number;
  };
  console.log(`${ROLES} admin roles: peak RSS ${Math.round(out.maxRssMb)} MB, ${out.rows.statements} statement rows`);
  assert.equal(out.code, 0);
  assert.equal(out.rows.principals, ROLES);
  // Three statements per role (two inline, one AdministratorAccess): not one row per action.
  assert.equal(out.rows.statements, 3 * ROLES);
  assert.deepEqual(out.outcomes["iam-agent-admin-absent"], { fail: ROLES });
  assert.deepEqual(out.outcomes["iam-agent-destructive-rights-absent"], { fail: ROLES });
  assert.deepEqual(out.outcomes["iam-agent-escalation-paths-absent"], { fail: ROLES });
  assert.ok(out.maxRssMb < 500, `peak RSS ${out.maxRssMb} MB`);
});
