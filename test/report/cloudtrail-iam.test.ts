import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { copySample, runCli } from "../helpers/workspace.ts";
import { pdfPages } from "../helpers/pdf-text.ts";

/** The incident story end to end on the sample: what the agent role could do, what it did, the gap. */
test("the sample's report shows the agent role's granted vs used permissions, its destructive rights, the DeleteStack/CreateStack pair and the suggested policy", async () => {
  const ws = copySample();
  const out = path.join(ws, "out");
  const run = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out]);
  assert.equal(run.status, 0, run.stderr);

  const policy = JSON.parse(readFileSync(path.join(out, "policies", "111122223333-ai-agent-operator.json"), "utf8"));
  assert.deepEqual(policy.Statement[0].Action, ["cloudformation:CreateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStackEvents"]);
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { outputs: { path: string }[] };
  assert.ok(manifest.outputs.some((o) => o.path === "policies/111122223333-ai-agent-operator.json"), "the policy is part of the signed package");

  const findings = readFileSync(path.join(out, "findings.csv"), "utf8");
  for (const [rule, controls] of [
    ["iam-agent-destructive-rights-absent", /CC6\.3/],
    ["iam-agent-escalation-paths-absent", /CC6\.1 CC6\.3/],
    ["iam-agent-unused-permissions-removed", /CC6\.3/],
    ["cloudtrail-agent-destructive-calls-approved", /CC6\.1 CC7\.2/],
  ] as const) {
    const line = findings.split("\n").find((l) => l.includes(`,${rule},`));
    assert.ok(line, `finding from ${rule}`);
    assert.match(line, controls);
  }
  assert.match(findings, /holds \d+ destructive or irreversible permissions \([^)]*\); it used cloudformation:DeleteStack/);

  const text = (await pdfPages(path.join(out, "report.pdf"))).join("\n");
  const section = text.slice(text.lastIndexOf("6. Cloud identities"));
  assert.match(section, /ai-agent-operator \(agent identity kiro-operator\)/);
  assert.match(section, /Permissions management\s+\d+\s+0\s+\d+/);
  assert.match(section, /cloudformation:DeleteStack\s+\(USED\)/);
  assert.match(section, /cloudformation:\s*DeleteStack\s+\(destructive\)\s+prod-api\s+succeeded\s+none recorded[\s\S]*cloudformation:\s*CreateStack\s+prod-api/);
  assert.match(section, /iam:AttachRolePolicy\s+0\s+1\s+no\s+\(attempt\)/);
  assert.match(section, /Suggested least-privilege policy\s+\(policies\/111122223333-ai-agent-operator\.json\)/);
});
