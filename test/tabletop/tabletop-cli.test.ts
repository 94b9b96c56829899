import { test, before } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { pdfText } from "../helpers/pdf-text.ts";
import { copySample, runCli } from "../helpers/workspace.ts";

/**
 * `evidence tabletop` through the real CLI on the sample: one build, then the exercise added to the
 * package, its verdicts checked against the package's own findings.csv, the PDF read back as text.
 */
let ws = "";
let config = "";
const out = () => path.join(ws, "out");

before(() => {
  ws = copySample();
  config = path.join(ws, "evidence.config.yaml");
  const built = runCli(["build", "--config", config, "--period", "2026-10", "--out", out(), "--quiet"]);
  assert.equal(built.status, 0, built.stderr);
});

const tabletop = (...args: string[]) => runCli(["tabletop", "--config", config, "--period", "2026-10", "--out", out(), ...args]);

test("without a store the tabletop exits 2 and says what to run; without --scenario it lists the scenarios", () => {
  const fresh = copySample();
  const missing = runCli(["tabletop", "--config", path.join(fresh, "evidence.config.yaml"), "--period", "2026-10", "--scenario", "delete-production-stack"]);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /no evidence store at .*evidence\.db; run "evidence build --period 2026-10" first/);
  const unbuilt = runCli(["tabletop", "--config", config, "--period", "2026-09", "--scenario", "delete-production-stack", "--out", path.join(ws, "sept")]);
  assert.equal(unbuilt.status, 2, unbuilt.stderr);
  assert.match(unbuilt.stderr, /no build for 2026-09 in .*; run "evidence build --period 2026-09" first/);
  const unknown = tabletop("--scenario", "nope");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown scenario "nope": expected all or one of delete-production-stack, drop-production-database, force-push-production-branch/);
  const list = runCli(["tabletop"]);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^ {2}delete-production-stack +An agent deletes and recreates a production stack$/m);
});

test("the December 2025 scenario on the sample: the gaps findings.csv shows, cited by finding id; listed in the manifest; same bytes twice", async () => {
  const first = tabletop("--scenario", "delete-production-stack");
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /1\. Which agent identities could take the action\? not stopped\n {2}2\. Would a person be asked first\? not stopped\n {2}3\. Would the action be logged, and would the log be trusted\? not stopped\n {2}4\. Would the change pass review\? not stopped\n {2}5\. Would it be noticed in the period's evidence\? detected/);
  const mdFile = path.join(out(), "tabletop", "delete-production-stack.md");
  const md = readFileSync(mdFile, "utf8");
  // Every finding the page cites is a finding of the package, of the rule the page names.
  const findings = new Map((parse(readFileSync(path.join(out(), "findings.csv")), { columns: true }) as { finding_id: string; rule: string }[]).map((f) => [f.finding_id, f.rule]));
  const cited = [...md.matchAll(/^ {2}- Finding ([0-9a-f]{12}): ([a-z0-9-]+) /gm)].map((m) => [m[1]!, m[2]!] as const);
  assert.ok(cited.length >= 10, md);
  for (const [id, rule] of cited) assert.equal(findings.get(id), rule, `finding ${id}`);
  for (const gap of ["7300570f089b", "6c019fc5a0a4", "d3de19526e2b", "6b674539bd55", "e766f4ba22e9", "0ac2724e01e0", "d8f5f2929798"]) assert.match(md, new RegExp(`Finding ${gap}:`));
  assert.match(md, /role ai-agent-operator \(agent identity kiro-operator, production account 111122223333\) is granted cloudformation:CreateStack, cloudformation:DeleteStack\. Records: iam\/authorization-details\.json RoleDetailList\\\[0\\\]/);

  const manifest = JSON.parse(readFileSync(path.join(out(), "manifest.json"), "utf8")) as { outputs: { path: string }[] };
  assert.ok(manifest.outputs.some((o) => o.path === "tabletop/delete-production-stack.pdf"));
  assert.ok(manifest.outputs.some((o) => o.path === "tabletop/delete-production-stack.md"));
  const verified = runCli(["verify", out()]);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);

  const text = await pdfText(path.join(out(), "tabletop", "delete-production-stack.pdf"));
  const flat = text.replace(/\s+/g, " ");
  assert.match(flat, /Tabletop exercise: An agent deletes and recreates a production stack/);
  assert.match(flat, /Verdict: not stopped\./);
  assert.match(flat, /Finding 7300570f089b/);
  assert.match(flat, /5\. Would it be noticed in the period's evidence\? detected/);

  const again = tabletop("--scenario", "all");
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(mdFile, "utf8"), md, "same store and period, same Markdown");
  assert.equal(await pdfText(path.join(out(), "tabletop", "delete-production-stack.pdf")), text, "same PDF text");
  assert.equal(runCli(["verify", out()]).status, 0);

  // A folder that is not an evidence package is never written into.
  const junk = path.join(ws, "junk");
  mkdirSync(junk);
  writeFileSync(path.join(junk, "notes.txt"), "mine\n");
  const refused = runCli(["tabletop", "--config", config, "--period", "2026-10", "--scenario", "delete-production-stack", "--out", junk]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /junk is neither empty nor an evidence package; choose another --out/);
  assert.deepEqual(readdirSync(junk), ["notes.txt"]);
});

test("a changed input after the build makes the stored build stale: exit 2, nothing written", () => {
  appendFileSync(config, "\n# edited after the build\n");
  const stale = runCli(["tabletop", "--config", config, "--period", "2026-10", "--scenario", "delete-production-stack", "--out", path.join(ws, "stale")]);
  assert.equal(stale.status, 2, stale.stderr);
  assert.match(stale.stderr, /the stored build [0-9a-f]{16} for 2026-10 is stale: .*; run "evidence build --period 2026-10" first/);
});

test("a build that replaces the package says the earlier package's tabletop exercise went with it", () => {
  // The config was edited in the test above: this build is a new one, so the package is re-rendered.
  const rebuilt = runCli(["build", "--config", config, "--period", "2026-10", "--out", out()]);
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, /The earlier package's tabletop exercise \(tabletop\/delete-production-stack\.md, tabletop\/delete-production-stack\.pdf(, [^)]*)?\) answered build [0-9a-f]{16} and was replaced with that package: run "evidence tabletop --period 2026-10" again for this build\./);
  assert.equal(existsSync(path.join(out(), "tabletop")), false);
  const again = runCli(["build", "--config", config, "--period", "2026-10", "--out", out()]);
  assert.doesNotMatch(again.stdout, /tabletop exercise/, "an unchanged build replaces nothing and says nothing");
});
