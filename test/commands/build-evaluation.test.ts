import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { loadCatalog } from "../../src/catalog/index.ts";
import { copySample, runCli } from "../helpers/workspace.ts";

/**
 * Control evaluation on the sample workspace, through the real CLI: every in-scope control ends in a
 * defensible status, a risk acceptance covers findings and re-opens them once the period moves past
 * its expiry, and removing a source leaves its control never effective, naming the untested rules.
 */
interface ControlJson { id: string; lastStatus: string | null; lastReason: string | null; lastPeriod: string | null; rules: { id: string; origin: string }[]; manualReason: string | null }
interface BuildJson { acceptances: { id: string; status: string; findings: number }[]; findings: number; controls: Record<string, number> }

function controls(config: string): Map<string, ControlJson> {
  const result = runCli(["controls", "--json", "--config", config]);
  assert.equal(result.status, 0, result.stderr);
  return new Map((JSON.parse(result.stdout) as { controls: ControlJson[] }).controls.map((c) => [c.id, c]));
}

function build(config: string, period: string, out: string): BuildJson {
  const result = runCli(["build", "--json", "--config", config, "--period", period, "--out", out]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as BuildJson;
}

test("sample workspace: a removed source, defensible statuses, and an acceptance that expires", async (t) => {
  const ws = copySample();
  const config = path.join(ws, "evidence.config.yaml");
  const original = readFileSync(config, "utf8");

  // First without the git sources: the store never holds git data, and the one full ingest is shared
  // by the steps below (putting the sources back ingests only the repository).
  // CC8.1 also holds the action-boundary rules, which fail on the sample's agent logs and CloudTrail:
  // without git it is deficient on those, and says which git rules it could not test.
  await t.test("without the git sources, CC8.1 is never effective and names the git rules it could not test", () => {
    const doc = parse(original) as { sources: { kind: string }[] };
    doc.sources = doc.sources.filter((s) => s.kind !== "git" && s.kind !== "github-pull-requests");
    writeFileSync(config, stringify(doc));
    try {
      build(config, "2026-10", path.join(ws, "out-no-git"));
      const cc81 = controls(config).get("CC8.1")!;
      assert.notEqual(cc81.lastStatus, "effective");
      assert.match(cc81.lastReason!, /rules could not be tested: git-production-changes-reviewed/);
    } finally {
      writeFileSync(config, original);
    }
  });

  await t.test("October: effective, findings accepted under RA-2026-007, the deleted stack deficient, every control without rules manual", () => {
    const out = path.join(ws, "out-2026-10");
    const summary = build(config, "2026-10", out);
    const byId = controls(config);
    assert.equal(byId.size, loadCatalog(["soc2", "iso27001"]).controls.length);
    for (const c of byId.values()) {
      assert.equal(c.lastPeriod, "2026-10");
      if (c.rules.length === 0) {
        assert.ok(c.manualReason, `${c.id} says why it is manual`);
        assert.equal(c.lastStatus, "manual", c.id);
      } else {
        assert.equal(c.manualReason, null, `${c.id} is automated`);
        assert.ok(["effective", "exceptions", "deficient"].includes(c.lastStatus!), `${c.id}: ${c.lastStatus} (${c.lastReason})`);
      }
    }
    assert.equal([...byId.values()].filter((c) => c.rules.length > 0).length, 10, "the sample tests all ten automated controls");
    const statuses = [...byId.values()].map((c) => c.lastStatus);
    assert.ok(statuses.includes("effective"), "at least one effective control");
    // CC8.1's git findings are accepted under RA-2026-007; its open findings are the agents' boundary violations.
    assert.equal(byId.get("CC8.1")!.lastStatus, "deficient");
    assert.match(byId.get("CC8.1")!.lastReason!, /^\d+ open findings from agent-actions-within-boundary, cloudtrail-agent-calls-within-boundary, inventory-agents-boundary-declared\.$/);
    assert.equal(byId.get("CC6.1")!.lastStatus, "deficient");
    assert.equal(summary.acceptances.find((a) => a.id === "RA-2026-007")?.status, "active");
    assert.ok(summary.acceptances.find((a) => a.id === "RA-2026-007")!.findings > 0);
    // The deleted stack: the CloudTrail finding cites the whole chain, from the agent session to the commit.
    const deleted = readFileSync(path.join(out, "findings.csv"), "utf8").split("\n").find((l) => l.includes("cloudformation:DeleteStack on prod-api"));
    assert.ok(deleted, "a DeleteStack finding");
    assert.match(deleted, /logs\/claude-code\/2026-10\/ops-oncall\.jsonl line 2/, "the prompt");
    assert.match(deleted, /ops-oncall\.jsonl: lines 5, 6|ops-oncall\.jsonl lines 5, 6/, "the tool call");
    assert.match(deleted, /commit:a93e5169451b/, "the commit");
  });

  await t.test("2026-Q4 ends after the acceptance expires: the same findings re-open and CC8.1 is deficient", () => {
    const summary = build(config, "2026-Q4", path.join(ws, "out-2026-Q4"));
    assert.equal(summary.acceptances.find((a) => a.id === "RA-2026-007")?.status, "expired");
    const cc81 = controls(config).get("CC8.1")!;
    assert.equal(cc81.lastPeriod, "2026-Q4");
    assert.equal(cc81.lastStatus, "deficient");
    assert.match(cc81.lastReason!, /Acceptance RA-2026-007 is expired \(expired 2026-12-15\)/);
  });
});

const ACCEPTANCES = "registers/risk-acceptances.yaml";
const badRegisters = [
  { name: "a bad date", edit: (t: string) => t.replace("approved: 2026-10-16", "approved: 2026-10-32"), message: /registers\/risk-acceptances\.yaml: row 1 \(RA-2026-007\), line \d+: approved: expected a calendar date/ },
  { name: "a missing owner", edit: (t: string) => t.replace(/\n {4}owner: sre-lead@acme\.example(?=\n {4}approver: ciso@acme\.example\n {4}approved: 2026-10-23)/, ""), message: /registers\/risk-acceptances\.yaml: row 2 \(RA-2026-008\), line \d+: owner: is required but missing/ },
  { name: "an approver equal to the owner", edit: (t: string) => t.replace("approver: ciso@acme.example\n    approved: 2026-10-16", "approver: sre-lead@acme.example\n    approved: 2026-10-16"), message: /registers\/risk-acceptances\.yaml: row 1 \(RA-2026-007\), line \d+: approver: must be someone other than the owner/ },
];
for (const c of badRegisters) {
  test(`a risk-acceptance register with ${c.name} exits 2 naming the file, the row and the field`, () => {
    const ws = copySample();
    const file = path.join(ws, ACCEPTANCES);
    const before = readFileSync(file, "utf8");
    writeFileSync(file, c.edit(before));
    assert.notEqual(readFileSync(file, "utf8"), before, "the edit applied");
    const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", path.join(ws, "out")]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, c.message);
    assert.doesNotMatch(result.stderr, /internal error|Ingested/);
  });
}

test("a workspace adds its own controls and SQL rules and narrows the scope", () => {
  const ws = copySample();
  const config = path.join(ws, "evidence.config.yaml");
  mkdirSync(path.join(ws, "controls"));
  mkdirSync(path.join(ws, "rules"));
  writeFileSync(path.join(ws, "controls", "acme.json"), JSON.stringify({
    framework: "acme", name: "Acme internal", version: "1",
    controls: [{ id: "ACME-1", title: "No IAM writes by agents", description: "d", frequency: "continuous", rules: ["acme-agents-no-iam-writes"] }],
  }));
  writeFileSync(path.join(ws, "rules", "acme-agents-no-iam-writes.yaml"), [
    "id: acme-agents-no-iam-writes", "title: Agents make no IAM writes", "rationale: r", "severity: high", "sources: [cloudtrail]",
    "population:", "  description: agent CloudTrail calls", "  sql: SELECT id FROM events WHERE source_kind = 'cloudtrail' AND actor_kind = 'agent' AND time >= :start AND time < :end",
    "failing:", "  sql: SELECT actor AS subject, action AS message FROM events WHERE source_kind = 'cloudtrail' AND actor_kind = 'agent' AND action LIKE 'iam:%' AND outcome = 'succeeded' AND time >= :start AND time < :end", "",
  ].join("\n"));
  writeFileSync(config, readFileSync(config, "utf8") + "\ncatalog:\n  scope: [CC8.1, ACME-1]\n");
  const byId = controls(config);
  assert.deepEqual([...byId.keys()], ["CC8.1", "ACME-1"]);
  assert.deepEqual(byId.get("ACME-1")!.rules.map((r) => [r.id, r.origin]), [["acme-agents-no-iam-writes", "workspace"]]);
});
