import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { copySample, runCli } from "./helpers/workspace.ts";
import { pdfPages } from "./helpers/pdf-text.ts";
import { loadCatalog } from "../src/catalog/index.ts";

/** Every control of the catalog, manual ones included: the package shows them all. */
const CONTROL_IDS = loadCatalog(["soc2", "iso27001"]).controls.map((c) => c.id);

/** The walking skeleton end to end: the sample workspace builds into a complete package. */
test("evidence build on the sample workspace writes a PDF, CSVs, memos and a manifest", async (t) => {
  const ws = copySample();
  const out = path.join(ws, "out");
  const first = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /Ingested \d+ files/);

  const files = readdirSync(out).sort();
  for (const f of ["report.pdf", "agent-actions.csv", "logging-coverage.csv", "changes.csv", "findings.csv", "controls.csv", "samples.csv", "evidence-inventory.csv", "manifest.json"]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  assert.ok(readdirSync(path.join(out, "memos")).length >= 1, "at least one risk-acceptance memo");

  const pages = await pdfPages(path.join(out, "report.pdf"));
  const text = pages.join("\n");
  assert.ok(pages.length >= 5, `multi-page PDF (${pages.length} pages)`);
  assert.match(text, /Acme Corp/);
  assert.match(text, /2026-10/);
  for (const id of CONTROL_IDS) assert.ok(text.includes(id), `PDF mentions ${id}`);
  assert.match(text, /DeleteStack/);
  assert.match(text, /prod-api/);

  const findings = readFileSync(path.join(out, "findings.csv"), "utf8");
  assert.match(findings, /cloudformation:DeleteStack on prod-api/);
  // The sample breaks its action boundaries in each way: a prohibited class, an environment out of
  // scope, a confirm-first class unconfirmed (agent logs), an agent role out of scope (CloudTrail
  // alone), and a tool in use with no declared boundary.
  assert.match(findings, /,agent-actions-within-boundary,.*cursor ran ""rm -rf \/srv\/prod[^"]*"" \([^)]*\): its class is prohibited \(destructive, irreversible\)\./);
  assert.match(findings, /,agent-actions-within-boundary,.*codex ran [^\n]*: it acted in production, outside the tool's environments \(non-production\)\./);
  assert.match(findings, /,agent-actions-within-boundary,.*claude-code ran ""aws cloudformation delete-stack[^\n]*: its confirm-first class \(destructive\) had no person's confirmation\./);
  assert.match(findings, /,cloudtrail-agent-calls-within-boundary,.*Agent identity of kiro called cloudformation:DeleteStack on prod-api in account 111122223333 [^\n]*: it acted in production, outside the tool's environments \(non-production\)\./);
  assert.match(findings, /,inventory-agents-boundary-declared,.*Agent aider was used in 2026-10 \(1 commit in git\) but its inventory entry declares no permission boundary\./);

  // Logging completeness: kiro acts only through its AWS role and keeps no agent log.
  assert.match(readFileSync(path.join(out, "logging-coverage.csv"), "utf8"), /^agent,kiro,,0,0,31,,,0,0,0,0,20,20,exception\r$/m);
  // The December 2025 pattern as one chain: the Claude Code session's delete-stack, CloudTrail's DeleteStack under the
  // Kiro operator role (a conflict of attribution), and the commit that recreated the stack.
  const timeline = readFileSync(path.join(out, "timeline.csv"), "utf8");
  assert.match(timeline, /,cloud-event,2026-10-14T09:12:03\.000Z,[^\n]*cloudformation:DeleteStack on prod-api[^\n]*,high,"CloudTrail attributes this call to kiro \(by role\), but the tool call it is correlated to is claude-code's"\r$/m);
  assert.match(timeline, /,commit,[^\n]*Recreate prod-api stack/);

  // The sample's signed digests: every hour, log and signature verifies but one staging log file no digest lists.
  const integrity = findings.split("\n").filter((l) => l.includes(",cloudtrail-log-integrity-verified,"));
  assert.equal(integrity.length, 1);
  assert.match(integrity[0]!, /,high,CC7\.2,open,,2026-10,cloudtrail:cloudtrail,Log integrity in cloudtrail: 1 log file\(s\) a digest should have listed but none does \(AWSLogs\/444455556666\/CloudTrail\/eu-west-1\/2026\/10\/22\/444455556666_CloudTrail_eu-west-1_20261022T1405Z_95954717707e3a9a\.json\.gz\)\.,/);
  assert.match(readFileSync(path.join(out, "controls.csv"), "utf8"), /^CC7\.2,soc2,Monitor for anomalies,deficient,"18 open findings from agent-hook-log-chain-intact, agent-logging-complete, cloudtrail-agent-destructive-calls-approved, cloudtrail-log-integrity-verified\.",/m);
  assert.match(text, /cloudtrail: cloudtrail\s+PROBLEMS\s+2,232\s+509\s+2232 \/ 0 \/ 0\s+1 log file\(s\) a digest should have listed\s+but none does/, "Appendix A: digests, verified logs, signatures valid / invalid / unchecked");

  // The sample's evidence hook log: one line of 14 October edited after the fact, reported by file and line.
  const chain = findings.split("\n").filter((l) => l.includes(",agent-hook-log-chain-intact,"));
  assert.equal(chain.length, 1);
  assert.match(chain[0]!, /,high,A\.8\.15 CC7\.2,open,,2026-10,claude-code-chained:logs\/evidence-hook\/claude-code\/,"Hash chain under logs\/evidence-hook\/claude-code\/ broken in 1 place: 2026-10-14\.jsonl line 8 does not link to line 7: line 7 was edited, or lines between them were deleted\.",/);
  assert.match(text, /Agent hook log chains[\s\S]*claude-code-chained\s+logs\/evidence-hook\/claude-code\/\s+3\s+20\s+broken in 1 place/);
  assert.match(readFileSync(path.join(out, "evidence-inventory.csv"), "utf8"), /logs\/evidence-hook\/claude-code\/2026-10-14\.jsonl,.*"\[""hash chain: 2026-10-14\.jsonl line 8 does not link to line 7/);

  await t.test("a second build ingests nothing new and writes byte-identical CSVs", () => {
    const out2 = path.join(ws, "out2");
    const second = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out2]);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /Nothing new to ingest/);
    for (const f of readdirSync(out).filter((f) => f.endsWith(".csv"))) {
      assert.ok(readFileSync(path.join(out, f)).equals(readFileSync(path.join(out2, f))), `${f} differs between runs`);
    }
  });

  await t.test("verify accepts the package and rejects a changed byte", () => {
    assert.equal(runCli(["verify", out]).status, 0);
    const csv = path.join(out, "changes.csv");
    const bytes = readFileSync(csv);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
    writeFileSync(csv, bytes);
    const result = runCli(["verify", out]);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /changed: changes\.csv/);
  });
});

test("a bad period exits 2 with a one-line message naming the problem", () => {
  const ws = copySample();
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-13"]);
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /invalid period "2026-13": month 13/);
});

test("a config with a misspelt key exits 2 naming the file and key", () => {
  const ws = copySample();
  const config = path.join(ws, "evidence.config.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace("minCoverage:", "minCoverag:"));
  const result = runCli(["build", "--config", config, "--period", "2026-10"]);
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /evidence\.config\.yaml: thresholds: unknown key "minCoverag"/);
});

test("broken inputs become rejects with file and position, and the run completes", () => {
  const ws = copySample();
  const log = path.join(ws, "logs", "claude-code", "2026-10", "ops-oncall.jsonl");
  writeFileSync(log, readFileSync(log, "utf8") + "this is not json\n");
  const ct = readdirSync(path.join(ws, "cloudtrail"), { recursive: true, encoding: "utf8" }).filter((f) => /_CloudTrail_.*\.json\.gz$/.test(f)).sort()[0]!;
  const ctPath = path.join(ws, "cloudtrail", ct);
  const gz = readFileSync(ctPath);
  writeFileSync(ctPath, gz.subarray(0, gz.length - 10));
  const out = path.join(ws, "out");
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /ops-oncall\.jsonl: 1 record rejected/);
  const rejects = readFileSync(path.join(out, "rejects.csv"), "utf8");
  assert.match(rejects, /ops-oncall\.jsonl,line \d+,"not valid JSON/);
  assert.match(rejects, /gzip/);
  assert.match(readFileSync(path.join(out, "findings.csv"), "utf8"), /DeleteStack/, "the rest of the data is kept");
});

test("init writes a starter workspace and refuses to overwrite it", () => {
  const ws = copySample();
  const dir = path.join(ws, "new");
  assert.equal(runCli(["init", dir]).status, 0);
  assert.ok(existsSync(path.join(dir, "evidence.config.yaml")));
  assert.ok(existsSync(path.join(dir, "registers", "risk-acceptances.yaml")));
  const again = runCli(["init", dir]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /refusing to overwrite/);
});

test("controls lists every control with its rules or what to attach by hand, and the criteria the tool does not cover", () => {
  const ws = copySample();
  const result = runCli(["controls", "--json", "--config", path.join(ws, "evidence.config.yaml")]);
  assert.equal(result.status, 0, result.stderr);
  const { controls, notInScope } = JSON.parse(result.stdout) as {
    controls: { id: string; rules: { id: string }[]; manualReason: string | null; attach: string[] }[];
    notInScope: { id: string; framework: string; title: string; reason: string }[];
  };
  assert.deepEqual(controls.map((c) => c.id).sort(), [...CONTROL_IDS].sort());
  assert.ok(controls.find((c) => c.id === "CC8.1")!.rules.some((r) => r.id === "git-production-changes-reviewed"));
  const cc74 = controls.find((c) => c.id === "CC7.4")!;
  assert.deepEqual([cc74.rules.length, Boolean(cc74.manualReason), cc74.attach.length > 0], [0, true, true], "a manual control says what evidence to attach");
  assert.match(notInScope.find((n) => n.id === "CC6.4")?.reason ?? "", /[Pp]hysical/);
  const text = runCli(["controls", "--config", path.join(ws, "evidence.config.yaml")]).stdout;
  assert.match(text, /^CC7\.4 .*\n {10}manual: .*\n {10}attach: /m);
  assert.match(text, /^Not covered by this tool \(\d+ criteria\): CC1\.1, /m);
});
