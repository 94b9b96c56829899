import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { junitErrors, JUNIT_SCHEMAS, sarifValidator } from "../helpers/check-schemas.ts";
import { runMain } from "../helpers/cli-main.ts";
import { copySample, runCli } from "../helpers/workspace.ts";
import { loadCatalog } from "../../src/catalog/index.ts";

/**
 * `evidence check` on the unchanged sample: one real build (the CLI in a child process), then the
 * gate and its outputs. Usage errors go through the same `main()` in-process, which saves the
 * few seconds each child spends starting up.
 */
// A CI run of this suite must not append our summaries to its own step summary.
delete process.env.GITHUB_STEP_SUMMARY;

let ws = "";
let config = "";
const file = (name: string) => path.join(ws, name);

before(() => {
  ws = copySample();
  config = file("evidence.config.yaml");
  const built = runCli(["build", "--config", config, "--period", "2026-10", "--out", file("out"), "--quiet"]);
  assert.equal(built.status, 0, built.stderr);
});

const cli = (args: string[]) => runMain(["--config", config, ...args]);
// The sample tests every automated control; manual ones stay in the denominator of coverage.
const CATALOG = loadCatalog(["soc2", "iso27001"]);
const CONTROL_IDS = CATALOG.controls.map((c) => c.id);
const AUTOMATED = CATALOG.controls.filter((c) => c.rules.length > 0).length;

test("baseline write records the build sorted and stable, and the unchanged workspace passes against it", async () => {
  const written = runCli(["baseline", "write", "--config", config, "--period", "2026-10"]);
  assert.equal(written.status, 0, written.stderr);
  assert.equal(AUTOMATED, 10);
  assert.match(written.stdout, new RegExp(`^Wrote baseline .*baseline\\.json from build [0-9a-f]{16} \\(2026-10\\): ${CONTROL_IDS.length} controls, (\\d+) findings, coverage 10/${CONTROL_IDS.length}\\.`));
  const text = readFileSync(file("baseline.json"), "utf8");
  const baseline = JSON.parse(text);
  assert.equal(Number(/controls, (\d+) findings/.exec(written.stdout)![1]), baseline.findings.length, "the summary counts the findings the baseline holds");
  assert.equal(baseline.schemaVersion, 1);
  assert.deepEqual(baseline.controls.map((c: { id: string }) => c.id), [...CONTROL_IDS].sort());
  assert.deepEqual(baseline.findings.map((f: { id: string }) => f.id), [...baseline.findings.map((f: { id: string }) => f.id)].sort());
  assert.equal(text, `${JSON.stringify(baseline, null, 2)}\n`, "pretty-printed with a final newline");
  const again = await cli(["baseline", "write", "--out", file("again.json")]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(file("again.json"), "utf8"), text, "the latest build without --period gives the same bytes");

  const check = runCli(["check", "--config", config, "--period", "2026-10", "--baseline", file("baseline.json")]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^PASS evidence check 2026-10 \(build [0-9a-f]{16}\) against .*baseline\.json/);
  assert.match(check.stdout, /^A\.5\.37 +iso27001 +deficient +2\/2 +0 +0 +1 +ok$/m);
  assert.match(check.stdout, new RegExp(`findings: 0 new, 0 fixed, ${baseline.findings.length} recurring`), "every finding of the unchanged build recurs");
});

test("JUnit (both schemas), SARIF 2.1.0 and the Markdown summary come from the same result", async () => {
  const junit = file("reports/evidence.xml");
  const sarif = file("reports/evidence.sarif");
  const markdown = file("reports/summary.md");
  const r = await cli(["check", "--period", "2026-10", "--baseline", file("baseline.json"), "--fail-on", "high,deficient", "--junit", junit, "--sarif", sarif, "--markdown", markdown, "--json"]);
  assert.equal(r.status, 1, r.stderr);
  const result = JSON.parse(r.stdout);
  const failing = ["CC6.1", "CC6.3", "CC7.2", "CC8.1", "A.5.37", "A.8.8", "A.8.9", "A.8.15"];
  assert.deepEqual(result.failures.map((f: { kind: string; controls: string[] }) => [f.kind, f.controls[0]]), failing.map((c) => ["status-fail-on", c]));

  const xml = readFileSync(junit, "utf8");
  for (const schema of JUNIT_SCHEMAS) assert.deepEqual(await junitErrors(xml, schema), [], schema);
  assert.equal((xml.match(/<testcase /g) ?? []).length, CONTROL_IDS.length + 3, "one test case per control, and three for the whole build");
  for (const c of failing) assert.match(xml, new RegExp(`<testcase name="${c.replace(".", "\\.")} [^"]*" classname="evidence\\.\\w+" time="0">\\s*<failure message="${c.replace(".", "\\.")} is deficient \\(fail-on deficient\\)`));
  assert.match(xml, /<testcase name="CC7\.1 [^"]*" classname="evidence\.soc2" time="0"\/>/);
  // The schemas do reject: a test case without its required name fails both.
  const broken = xml.replace(/<testcase name="[^"]*"/, "<testcase");
  for (const schema of JUNIT_SCHEMAS) assert.notDeepEqual(await junitErrors(broken, schema), [], `${schema} rejects a nameless test case`);

  const log = JSON.parse(readFileSync(sarif, "utf8"));
  const validate = sarifValidator();
  assert.deepEqual(validate(log), []);
  const results = log.runs[0].results as { ruleId: string; baselineState: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[];
  const where = results.map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}:${x.locations[0]!.physicalLocation.region?.startLine ?? "-"}`);
  assert.ok(where.includes("settings-agents-match-baseline settings/claude/ops-oncall/settings.local.json:-"), where.join("\n"));
  assert.ok(where.includes("inventory-destructive-agents-gated registers/ai-tools.yaml:14"), where.join("\n"));
  assert.ok(where.includes("iam-agent-escalation-paths-absent iam/authorization-details.json:-"), where.join("\n"));
  assert.ok(results.every((x) => x.baselineState === "unchanged"));
  assert.ok(!where.some((w) => /logs\/|\.bundle/.test(w)), "logs and git bundles are not repository locations");
  // Every finding is a result or is counted, by id, as not included with the reason: SARIF never reads as the whole list.
  const all = parse(readFileSync(file("out/findings.csv"), "utf8"), { columns: true }) as { finding_id: string }[];
  const included = new Set((log.runs[0].results as { partialFingerprints: Record<string, string> }[]).map((x) => x.partialFingerprints["evidenceFindingId/v1"]));
  const notIncluded = new Set(log.runs[0].properties.notIncluded?.findingIds ?? []);
  assert.deepEqual(all.filter((f) => !included.has(f.finding_id) && !notIncluded.has(f.finding_id)), [], "a finding neither in the SARIF results nor listed as not included");
  assert.match(log.runs[0].invocations[0].toolExecutionNotifications[0].message.text, /findings are not results here: their evidence is in logs/);
  log.runs[0].results[0].level = "severe";
  assert.notDeepEqual(validate(log), [], "the SARIF schema rejects an unknown level");

  const md = readFileSync(markdown, "utf8");
  assert.match(md, /^## ❌ FAIL evidence check 2026-10/);
  assert.match(md, /\*\*Why it failed\*\*\n\n- CC6\.1 is deficient \(fail-on deficient\)/);
  assert.match(md, /^\| A\.8\.8 \| iso27001 \| deficient \| 6\/6 \| 0 \| 0 \| 9 \| ❌ fail \|$/m);
});

test("the gate and the package agree: every control's status is the one controls.csv shows for the same build", async () => {
  const r = await cli(["check", "--period", "2026-10", "--baseline", file("baseline.json"), "--json"]);
  const result = JSON.parse(r.stdout) as { buildId: string; controls: { id: string; status: string; reason: string }[] };
  const csv = parse(readFileSync(file("out/controls.csv"), "utf8"), { columns: true }) as { control: string; status: string; reason: string }[];
  assert.deepEqual(result.controls.map((c) => [c.id, c.status, c.reason]), csv.map((c) => [c.control, c.status, c.reason]));
  const manifest = JSON.parse(readFileSync(file("out/manifest.json"), "utf8"));
  assert.equal(JSON.stringify(manifest).includes(result.buildId), true, "the package names the build the gate read");
});

test("$GITHUB_STEP_SUMMARY gets the Markdown summary appended when no --markdown is given", async () => {
  const summary = file("step-summary.md");
  writeFileSync(summary, "earlier step\n");
  process.env.GITHUB_STEP_SUMMARY = summary;
  try {
    const r = await cli(["check", "--period", "2026-10", "--baseline", file("baseline.json")]);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    delete process.env.GITHUB_STEP_SUMMARY;
  }
  assert.match(readFileSync(summary, "utf8"), /^earlier step\n## ✅ PASS evidence check 2026-10/);
});

test("without a baseline every open finding is new, so the default fail-on high fails; fail-on none passes", async () => {
  const r = await cli(["check", "--period", "2026-10"]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^FAIL evidence check 2026-10 \(build [0-9a-f]{16}\) \(no baseline\)\n  FAIL new /);
  assert.match(r.stdout, /^ {2}FAIL new critical finding in A\.8\.8, CC6\.3 \(agent-destructive-actions-human-approved\)/m);
  assert.match(r.stdout, /note: No baseline to compare with/);
  assert.equal((await cli(["check", "--period", "2026-10", "--fail-on", "none"])).status, 0);
  const ratio = AUTOMATED / CONTROL_IDS.length;
  const met = await cli(["check", "--period", "2026-10", "--fail-on", "none", "--min-coverage", String(ratio)]);
  assert.equal(met.status, 0, `coverage ${AUTOMATED}/${CONTROL_IDS.length} meets a minimum of exactly that share`);
  const strict = await cli(["check", "--period", "2026-10", "--fail-on", "none", "--min-coverage", "1"]);
  assert.equal(strict.status, 2, "manual controls are never tested by the tool, so full coverage is a configuration error, not a failed gate");
  const manual = CONTROL_IDS.length - AUTOMATED;
  assert.match(strict.stderr, new RegExp(`overall minimum 100\\.0% .*cannot be met: ${manual} of ${CONTROL_IDS.length} controls are manual .*at most ${(ratio * 100).toFixed(1)}%`));
});

test("a corrupt or foreign baseline file, a missing build and bad flags exit 2 with a message naming the problem", async () => {
  writeFileSync(file("corrupt.json"), '{"schemaVersion": 1, "controls": [');
  const corrupt = runCli(["check", "--config", config, "--period", "2026-10", "--baseline", file("corrupt.json")]);
  assert.equal(corrupt.status, 2);
  assert.match(corrupt.stderr, /^evidence: .*corrupt\.json: not a valid baseline file: not JSON/);

  const baseline = JSON.parse(readFileSync(file("baseline.json"), "utf8"));
  writeFileSync(file("future.json"), JSON.stringify({ ...baseline, schemaVersion: 2 }));
  const future = await cli(["check", "--period", "2026-10", "--baseline", file("future.json")]);
  assert.equal(future.status, 2);
  assert.match(future.stderr, /future\.json: schemaVersion: unsupported schema version: this evidence reads schemaVersion 1/);
  writeFileSync(file("edited.json"), JSON.stringify({ ...baseline, controls: [{ ...baseline.controls[0], status: "great" }] }));
  assert.match((await cli(["check", "--period", "2026-10", "--baseline", file("edited.json")])).stderr, /edited\.json: controls\.0\.status: /);
  assert.match((await cli(["check", "--period", "2026-10", "--baseline", file("missing.json")])).stderr, /missing\.json: baseline file not found/);

  const noBuild = await cli(["check", "--period", "2026-09"]);
  assert.equal(noBuild.status, 2);
  assert.match(noBuild.stderr, /no build for 2026-09 in .*evidence\.db; run "evidence build --period 2026-09" first/);
  for (const [args, message] of [
    [["--fail-on", "severe"], /invalid --fail-on "severe"/],
    [["--min-coverage", "soc3=0.9"], /unknown framework "soc3" in --min-coverage .*: the build has iso27001, soc2/],
    [["--min-coverage", "lots"], /invalid --min-coverage "lots"/],
  ] as const) {
    const r = await cli(["check", "--period", "2026-10", ...args]);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, message);
  }
});
