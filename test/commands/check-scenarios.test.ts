import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runMain } from "../helpers/cli-main.ts";
import { copySample, runCli } from "../helpers/workspace.ts";

/**
 * The gate through changes a pull request could make, each followed by a real build and check on
 * one copy of the sample: each build runs the CLI in a child (after the first, nothing new is
 * ingested, so each takes seconds), each check runs `main()` in-process.
 * The shared on-call account first acknowledges the current AI usage policy, so A.5.37 starts
 * effective and the baseline records that.
 */
delete process.env.GITHUB_STEP_SUMMARY;

const ACCEPTANCE = `  - id: RA-2026-011
    title: Maria's acknowledgement of AI-USE 2.0 waits for her return from leave
    controls: [A.5.37]
    resources: ["maria.garcia@acme.example"]
    scope: maria.garcia@acme.example using agents before acknowledging AI-USE 2.0.
    risk: An agent user may not know the current usage policy.
    justification: On leave until November; she acknowledges on her return.
    owner: ciso@acme.example
    approver: cto@acme.example
    approved: 2026-10-20
    expires: 2026-11-15
`;

test("a dropped acknowledgement fails naming A.5.37, a risk acceptance turns it green, its expiry turns it red again", async () => {
  const ws = copySample();
  const config = path.join(ws, "evidence.config.yaml");
  const edit = (rel: string, change: (text: string) => string) => {
    const file = path.join(ws, rel);
    const before = readFileSync(file, "utf8");
    const after = change(before);
    assert.notEqual(after, before, `${rel} changed`);
    writeFileSync(file, after);
  };
  const build = (period = "2026-10") => {
    const r = runCli(["build", "--config", config, "--period", period, "--out", path.join(ws, "out", period), "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
  };
  const check = (period = "2026-10") => runMain(["check", "--config", config, "--period", period, "--baseline", path.join(ws, "baseline.json")]);

  edit("registers/policies.yaml", (t) => t.replace('version: "1.0", person: ops.oncall', 'version: "2.0", person: ops.oncall'));
  build();
  assert.equal(runCli(["baseline", "write", "--config", config, "--period", "2026-10"]).status, 0);
  const baseline = JSON.parse(readFileSync(path.join(ws, "baseline.json"), "utf8"));
  assert.equal(baseline.controls.find((c: { id: string }) => c.id === "A.5.37").status, "effective");
  const same = await check();
  assert.equal(same.status, 0, same.stdout);

  // A pull request removes an agent user's acknowledgement of the AI usage policy.
  edit("registers/policies.yaml", (t) => t.replace(/^.*person: maria\.garcia@acme\.example.*\n/m, ""));
  build();
  const dropped = await check();
  assert.equal(dropped.status, 1, dropped.stdout);
  const lines = dropped.stdout.split("\n");
  assert.match(lines[1]!, /^ {2}FAIL A\.5\.37 dropped from effective to deficient: 1 open finding from policies-ai-usage-acknowledged\.$/, "the reason comes first");
  assert.match(dropped.stdout, /^A\.5\.37 +iso27001 +effective → deficient +2\/2 +1 +0 +0 +FAIL$/m);

  // A risk acceptance covers the finding: A.5.37 is an exception, which is not a drop.
  edit("registers/risk-acceptances.yaml", (t) => `${t}${ACCEPTANCE}`);
  build();
  const accepted = await check();
  assert.equal(accepted.status, 0, accepted.stdout);
  assert.match(accepted.stdout, /^ {2}WARN risk acceptance RA-2026-011 expires on 2026-11-15, 15 days after the period's last day \(window 30 days\); it covers 1 finding in A\.5\.37$/m);
  assert.match(accepted.stdout, /^A\.5\.37 +iso27001 +effective → exceptions .* ok$/m);
  // The same stored build, judged with thresholds.acceptanceExpiring: fail (check never rebuilds).
  edit("evidence.config.yaml", (t) => t.replace("  maxAcceptanceDays: 180\n", "  maxAcceptanceDays: 180\n  acceptanceExpiring: fail\n"));
  const strict = await check();
  assert.equal(strict.status, 1, strict.stdout);
  assert.match(strict.stdout, /^ {2}FAIL risk acceptance RA-2026-011 expires on 2026-11-15/m);
  edit("evidence.config.yaml", (t) => t.replace("  acceptanceExpiring: fail\n", ""));

  // A period that ends after the acceptance expired: the finding is open again.
  build("2026-10-01..2026-11-20");
  const expired = await check("2026-10-01..2026-11-20");
  assert.equal(expired.status, 1, expired.stdout);
  assert.match(expired.stdout, /^ {2}FAIL A\.5\.37 dropped from effective to deficient: .*Acceptance RA-2026-011 is expired \(expired 2026-11-15\)\.$/m);
  assert.match(expired.stdout, /^ {2}FAIL risk acceptance RA-2026-011 expired on 2026-11-15, before the period's last day 2026-11-20: its 1 finding in A\.5\.37 is open again$/m);
});
