import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { copySample, runCli, tempDir } from "../helpers/workspace.ts";
import { pdfPages } from "../helpers/pdf-text.ts";
import { createMonthWorkspace } from "../../bench/workspace.ts";

/**
 * One source of truth: every count the PDF states must agree with the CSVs and memos of the same
 * package. Built packages are cross-checked statement by statement; a contradiction is listed
 * with what each side says.
 */
type Row = Record<string, string>;
const csv = (dir: string, file: string): Row[] => parse(readFileSync(path.join(dir, file)), { columns: true, bom: true }) as Row[];
const flat = (text: string) => text.replace(/\s+/g, " ");

async function contradictions(dir: string): Promise<string[]> {
  const out: string[] = [];
  const pdf = flat((await pdfPages(path.join(dir, "report.pdf"))).join("\n"));
  const findings = csv(dir, "findings.csv");
  const controls = csv(dir, "controls.csv");
  const samples = csv(dir, "samples.csv");
  // Findings per control: controls.csv against findings.csv.
  for (const c of controls) {
    const n = findings.filter((f) => f.controls!.split(" ").includes(c.control!)).length;
    if (Number(c.findings) !== n) out.push(`${c.control}: controls.csv says ${c.findings} findings, findings.csv has ${n}`);
    // The status reason the PDF prints is the one controls.csv has.
    if (!pdf.includes(flat(c.reason!).slice(0, 60))) out.push(`${c.control}: the PDF does not state controls.csv's reason "${c.reason}"`);
    // Every finding's state is one of the states the package defines.
  }
  for (const f of findings) if (!["open", "accepted", "acceptance expired", "acceptance pending", "acceptance revoked"].includes(f.state!)) out.push(`finding ${f.finding_id} has state ${f.state}`);
  // Population sizes: each test's sample says the size of its population; the query file and the PDF say the same.
  const sizes = new Map<string, number>();
  for (const s of samples) sizes.set(s.rule!, Number(s.population_size));
  for (const [rule, n] of sizes) {
    const q = path.join(dir, "queries", `${rule}.sql`);
    if (!existsSync(q)) out.push(`${rule}: samples.csv cites a population but queries/${rule}.sql is missing`);
    else if (!readFileSync(q, "utf8").includes(`Population of ${n} in`)) out.push(`${rule}: samples.csv says population ${n}, queries/${rule}.sql disagrees`);
  }
  // Every exception in a sample is a finding of the same rule in findings.csv, and every sampled pass is not one.
  const ids = new Set(findings.map((f) => f.finding_id));
  for (const s of samples) {
    if (s.result === "exception" && !ids.has(s.finding_id!)) out.push(`samples.csv: ${s.rule} ${s.item_key} is an exception without a finding in findings.csv`);
    if (s.result === "pass" && s.finding_id) out.push(`samples.csv: ${s.rule} ${s.item_key} passes but names finding ${s.finding_id}`);
  }
  // Approvals by kind: the PDF's chart notes against agent-actions.csv.
  const actions = existsSync(path.join(dir, "agent-actions.csv")) ? csv(dir, "agent-actions.csv") : [];
  const byApproval = new Map<string, number>();
  for (const a of actions) byApproval.set(a.approval!, (byApproval.get(a.approval!) ?? 0) + 1);
  for (const [kind, n] of byApproval) {
    const m = new RegExp(`${kind} ([\\d,]+) \\(([\\d,]+) destructive\\)`).exec(pdf);
    if (m && Number(m[1]!.replace(/,/g, "")) !== n) out.push(`approval ${kind}: PDF says ${m[1]}, agent-actions.csv has ${n}`);
  }
  // Destructive production actions: the PDF's sentence against the rule's findings.
  const destructive = /agent-destructive-actions-human-approved: ([\d,]+) actions?, ([\d,]+) without a person's confirmation/.exec(pdf);
  if (destructive) {
    const fails = findings.filter((f) => f.rule === "agent-destructive-actions-human-approved").length;
    if (Number(destructive[2]) !== fails) out.push(`destructive actions: PDF says ${destructive[2]} unconfirmed, findings.csv has ${fails}`);
  }
  // Inventory: an ungoverned-tool memo exists exactly for the tools the inventory rule found missing from the register.
  const shadow = new Set(findings.filter((f) => f.rule === "inventory-agents-in-use-registered" && !f.subject!.startsWith("mcp:")).map((f) => f.subject));
  const memos = existsSync(path.join(dir, "memos")) ? readdirSync(path.join(dir, "memos")) : [];
  const ungoverned = new Set(memos.filter((m) => m.startsWith("ungoverned-") && m.endsWith(".md")).map((m) => m.slice("ungoverned-".length, -3)));
  for (const s of shadow) if (!ungoverned.has(s!)) out.push(`inventory: the rule found ${s} missing from the register, but there is no ungoverned-tool memo for it`);
  for (const u of ungoverned) if (!shadow.has(u)) out.push(`inventory: a memo calls ${u} ungoverned, but inventory-agents-in-use-registered did not find it missing`);
  // Changes by review status: changes.csv against the PDF's summary of the change population.
  if (existsSync(path.join(dir, "changes.csv"))) {
    const changes = csv(dir, "changes.csv");
    const count = (review: string) => changes.filter((c) => c.review === review).length;
    const summary = /([\d,]+) production changes?[^.]*?: ([\d,]+) reviewed, ([\d,]+) unreviewed/i.exec(pdf);
    if (summary && [summary[1], summary[2], summary[3]].map((n) => Number(n!.replace(/,/g, ""))).join() !== [changes.length, count("reviewed"), count("unreviewed")].join()) {
      out.push(`changes: the PDF says "${summary[0]}", changes.csv has ${changes.length} (${count("reviewed")} reviewed, ${count("unreviewed")} unreviewed)`);
    }
  }
  // "All N … were …" sentences: N is the population the rule states for itself.
  for (const m of pdf.matchAll(/All ([\d,]+) ([a-zA-Z -]+?) (?:were|was|came|had)/g)) {
    if (Number(m[1]!.replace(/,/g, "")) === 0) out.push(`"${m[0]}": a sentence about all of an empty population`);
  }
  // Logging completeness: the PDF's agent rows state logging-coverage.csv's figures, and each row's cut-off sessions are its findings.
  const coverage = existsSync(path.join(dir, "logging-coverage.csv")) ? csv(dir, "logging-coverage.csv") : [];
  for (const r of coverage.filter((x) => x.scope === "agent")) {
    const row = [r.agent_product, r.records, `${r.days_with_records} of ${r.days_in_period}`, r.silences_before_agent_action, r.cut_off_sessions, r.cut_off_files, r.agent_identity_calls, r.calls_without_agent_log, r.result].join(" ");
    if (!pdf.includes(row)) out.push(`logging coverage: the PDF does not state logging-coverage.csv's row "${row}"`);
    const cut = findings.filter((f) => f.rule === "agent-logging-complete" && f.subject!.startsWith(`${r.agent_product} session `) && f.message!.endsWith("its records are cut off.")).length;
    if (cut !== Number(r.cut_off_sessions)) out.push(`logging coverage: ${r.agent_product} has ${r.cut_off_sessions} cut-off sessions in logging-coverage.csv, findings.csv has ${cut}`);
  }
  // Memos cite files with their hash, never as unhashed, when the manifest hashes them.
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { inputs: { path: string; sha256: string }[] };
  const hashed = new Set(manifest.inputs.map((i) => i.path));
  for (const m of memos.filter((x) => x.endsWith(".md"))) {
    const text = readFileSync(path.join(dir, "memos", m), "utf8");
    for (const line of text.split("\n").filter((l) => l.includes("not hashed"))) {
      const file = /`([^`]+)`/.exec(line)?.[1];
      if (file && hashed.has(file)) out.push(`memo ${m}: ${file} is hashed in manifest.json but the memo says it is not`);
    }
  }
  // Plurals: no "1 files", "1 findings", "1 requirements", "1 records".
  for (const m of pdf.matchAll(/(?<![\w.,])1 (files|findings|requirements|records|rules)\b/g)) out.push(`PDF says "${pdf.slice(Math.max(0, m.index - 60), m.index + m[0].length)}"`);
  return out;
}

function build(ws: string): string {
  const out = path.join(ws, "package");
  const r = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  return out;
}

test("the sample package never contradicts itself, and says what it does not cover", async () => {
  const dir = build(copySample());
  assert.deepEqual(await contradictions(dir), []);
  const pdf = flat((await pdfPages(path.join(dir, "report.pdf"))).join("\n"));
  // The sample shows the logging-coverage table with a cut-off session (the cross-checks above then compare it with the CSV).
  assert.match(pdf, /Logging completeness per agent .*cursor 104 12 of 31 0 1 0 0 0 exception/);
  assert.match(pdf, /Appendix B\. Criteria not in scope .*CC6\.4 /, "the criteria outside the tool's subject are listed with their reason");
  // A rule that passes one subject and fails another shows each result with its own outcome.
  assert.match(pdf, /pass: cursor settings \(1 file\) meet the 1 requirement of the baseline\./);
  assert.doesNotMatch(pdf, /Results (?!pass: |fail: |no-evidence: |not-applicable: |error: )\S+ settings \(\d+ files?\) meet/);
  // The inventory is the register: a registered tool shows the owner the register names.
  assert.match(pdf, /Inventory versus what was seen .*?aider aider platform-team@acme\.example yes/, "aider's owner comes from registers/ai-tools.yaml");
  const controls = csv(dir, "controls.csv");
  const manual = controls.filter((c) => c.status === "manual");
  assert.ok(manual.length > 0 && manual.every((c) => c.attach && c.rules_with_evidence === "0/0"), "each manual control says what evidence to attach");
  assert.ok(controls.filter((c) => c.status !== "manual").every((c) => /^\d+\/\d+$/.test(c.rules_with_evidence!) && !c.rules_with_evidence!.endsWith("/0")), "coverage per control shows its denominator");
});

test("a workspace made with init plus a few records never contradicts itself, and its production rule is not tested", async () => {
  const ws = path.join(tempDir("evidence-consistency-"), "ws");
  assert.equal(runCli(["init", ws, "--production-account", "111122223333"]).status, 0);
  const config = readFileSync(path.join(ws, "evidence.config.yaml"), "utf8");
  mkdirSync(path.join(ws, "logs", "claude-code"), { recursive: true });
  const hooks = path.join(ws, "logs", "claude-code", "hooks.jsonl");
  const record = (i: number, command: string, cwd: string) => ({
    session_id: "s1", hook_event_name: "PreToolUse", tool_name: "Bash", tool_use_id: `t${i}`, tool_input: { command }, cwd,
    permission_mode: "bypassPermissions", timestamp: `2026-10-0${1 + (i % 9)}T10:00:0${i % 10}Z`,
  });
  writeFileSync(hooks, "");
  [["aws cloudformation delete-stack --stack-name prod-app", "/srv/app"], ["ls -la", "/srv/app"], ["git status", "/srv/app"]].forEach(([c, d], i) => appendFileSync(hooks, JSON.stringify(record(i, c!, d!)) + "\n"));
  assert.match(config, /kind: claude-code-hooks/, "the starter config reads Claude Code hook logs from logs/claude-code/");
  const dir = build(ws);
  assert.deepEqual(await contradictions(dir), []);
  // The delete-stack in bypass mode is never a pass on an empty population: the rule is not tested.
  const pdf = flat((await pdfPages(path.join(dir, "report.pdf"))).join("\n"));
  assert.doesNotMatch(pdf, /All 0 destructive agent actions/);
  const cc63 = csv(dir, "controls.csv").find((c) => c.control === "CC6.3")!;
  assert.match(cc63.reason!, /agent-destructive-actions-human-approved \(no-evidence/);
});

test("a generated larger workspace (the bench's month generator, scaled down) never contradicts itself", async () => {
  const base = tempDir("evidence-consistency-inputs-");
  const ws = path.join(tempDir("evidence-consistency-big-"), "ws");
  const config = await createMonthWorkspace(ws, base, { cloudtrailEvents: 6_000, agentEvents: 8_000, commits: 300 });
  const out = path.join(ws, "package");
  const r = runCli(["build", "--config", config, "--period", "2026-10", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await contradictions(out), []);
  assert.ok(csv(out, "findings.csv").length > 10, "a population large enough to have many findings");
});
