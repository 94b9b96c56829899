import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { appendFileSync, cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { copySample, runCli, tempDir } from "../helpers/workspace.ts";
import { pdfLayout } from "../helpers/pdf-items.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { verifyPackage } from "../../src/report/verify-package.ts";
import { oscalValidator } from "../helpers/oscal-schema.ts";
import { loadCatalog } from "../../src/catalog/index.ts";

/** Every control of the catalog, manual ones included. */
const CONTROL_IDS = loadCatalog(["soc2", "iso27001"]).controls.map((c) => c.id);

/**
 * The evidence package end to end through the real CLI on the sample workspace: the PDF's
 * sections and contents, Unicode, formula injection from a log into the CSVs, reproducibility,
 * memos, OSCAL, and tamper detection with and without a signature.
 */
const HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)"];

function hostileHookLines(): string {
  return HOSTILE.flatMap((command, i) => {
    const base = {
      session_id: "0f0f0f0f-1111-4222-8333-444455556666", transcript_path: "/home/li.wei/.claude/projects/x/t.jsonl", cwd: "/home/dev/src/api",
      permission_mode: "default", tool_name: "Bash", tool_input: { command }, tool_use_id: `toolu_hostile_${i}`,
    };
    const at = `2026-10-20T10:0${i}:00.000Z`;
    return [
      JSON.stringify({ timestamp: at, ...base, hook_event_name: "PreToolUse" }),
      JSON.stringify({ timestamp: at.replace(":00.000Z", ":05.000Z"), ...base, hook_event_name: "PostToolUse", tool_response: { stdout: "", exitCode: 0 } }),
    ];
  }).join("\n") + "\n";
}

function keyFiles(dir: string, name: string): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const priv = path.join(dir, `${name}.key`);
  const pub = path.join(dir, `${name}.pub`);
  writeFileSync(priv, privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));
  return { priv, pub };
}

function build(ws: string, period: string, out: string, extra: string[] = []) {
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", period, "--out", out, ...extra]);
  assert.equal(result.status, 0, result.stderr);
  return result;
}

test("the evidence package: PDF sections, Unicode, CSV injection, memos, OSCAL, reproducibility and tamper detection", async (t) => {
  const ws = copySample();
  appendFileSync(path.join(ws, "logs", "claude-code", "2026-10", "li.wei.jsonl"), hostileHookLines());
  const keys = tempDir("evidence-keys-");
  const signer = keyFiles(keys, "signer");
  const other = keyFiles(keys, "other");
  const out = path.join(ws, "out");
  build(ws, "2026-10", out, ["--sign-key", signer.priv]);
  const pdf = readFileSync(path.join(out, "report.pdf"));
  const layout = await pdfLayout(pdf);
  const pages = layout.pages.map((p) => p.text);
  const text = pages.join("\n");

  await t.test("the PDF shows every section, with a contents page whose page numbers are right", () => {
    const sections = [
      "1. Executive summary", "2. Scope and method", "3. Controls, tests and results", "4. AI agent activity", "5. Change management", "Appendix A. Evidence inventory",
    ];
    const parts = [
      "Coverage by control", "Top risks", "Change from the previous period", "What counts as sufficient evidence", "Populations", "Sampling method",
      "Tests performed", "Sample", "Exceptions and risk acceptances", "Inventory versus what was seen", "Granted versus used permissions",
      "Actions by approval kind", "Weekly trend of destructive agent actions", "Destructive actions in production", "Production changes in the period",
      "Summary by source", "Gaps in coverage", "CloudTrail log-file integrity", "Files by source",
    ];
    for (const s of [...sections, ...parts]) assert.ok(text.includes(s), `PDF has "${s}"`);
    for (const id of CONTROL_IDS) assert.ok(text.includes(`${id} `), `PDF has control ${id}`);
    assert.match(pages[1]!, /^Contents/m);
    // With a line per control the contents can run over several pages: up to the executive summary's.
    const summaryPage = Number(pages[1]!.match(/1\. Executive summary\s+(\d+)/)?.[1]);
    assert.ok(summaryPage > 2, "contents name the executive summary's page");
    const contents = pages.slice(1, summaryPage - 1).join("\n");
    for (const title of sections) {
      const entry = contents.match(new RegExp(`${title.replace(/[.]/g, "\\.")}\\s+(\\d+)`));
      assert.ok(entry, `contents list "${title}"`);
      const page = Number(entry[1]);
      assert.ok(pages[page - 1]!.includes(title), `"${title}" is on page ${page} as the contents say`);
    }
    assert.match(text, /Seed\s+acme-2026/);
  });

  await t.test("page furniture, metadata, outline and language", () => {
    const total = pages.length;
    for (const [i, page] of pages.entries()) if (i > 0) assert.ok(page.includes(`page ${i + 1} of ${total}`), `footer on page ${i + 1}`);
    assert.match(String(layout.info.Title), /AI Agent Governance Evidence: Acme Corp, 2026-10/);
    assert.ok(layout.outline.includes("3. Controls, tests and results") && layout.outline.some((o) => o.startsWith("CC8.1")), "bookmarks for sections and controls");
    assert.match(pdf.toString("latin1"), /\/Lang \(en\)/);
  });

  await t.test("table headers, identifiers, hashes and timestamps are never broken mid-word; the policy keeps its indentation; chart labels are whole", () => {
    const tokens = new Set(layout.items.flatMap((i) => i.str.split(" ")));
    // Words the page images showed broken: "Bypass disable|d", "Reject|ed", "Redac|ted", "bypassPermi|ssions".
    for (const word of ["disabled", "Rejected", "Redacted", "bypassPermissions", "disableBypassPermissionsMode"]) assert.ok(tokens.has(word), `"${word}" drawn whole`);
    for (const fragment of ["d", "ed", "ted", "ssions", "Reject", "Redac", "bypassPermi"]) assert.ok(!tokens.has(fragment), `no line holds the fragment "${fragment}"`);
    for (const item of layout.items) {
      // The start of an ISO timestamp cut at a separator, or the end of one on the next line.
      assert.doesNotMatch(item.str, /\b\d{4}-\d\d-\d\dT(\d\d:(\d\d:(\d\d\.)?)?)?$|^[-:.]?\d{1,3}Z\b|^\d\d:\d\d\.\d{3}Z/, `an ISO timestamp broken across lines at "${item.str}"`);
    }
    // Finding ids (short hashes) stay on one line wherever the PDF lists them.
    const findings = parse(readFileSync(path.join(out, "findings.csv")), { columns: true }) as Record<string, string>[];
    const ids = findings.map((f) => f.finding_id!);
    assert.ok(ids.some((id) => text.includes(id)), "the PDF lists finding ids");
    for (const id of ids) {
      for (let cut = 1; cut < id.length; cut++) assert.ok(!text.includes(`${id.slice(0, cut)} ${id.slice(cut)}`), `${id} broken as ${id.slice(0, cut)} ${id.slice(cut)}`);
    }
    const x = (start: string) => layout.items.find((i) => i.str.startsWith(start))?.x ?? NaN;
    assert.ok(x('"Effect": "Allow"') > x('"Statement": [') + 5, "the suggested policy's statement keys are indented under Statement");
    assert.doesNotMatch(pages[2]!, /…/, "no chart label cut off on the executive summary page");
    assert.ok(layout.items.some((i) => i.str === "A.8.8 Management of technical vulnerabilities"), "chart label whole");
  });

  await t.test("the Cyrillic and Chinese commit messages of the sample history appear correctly", () => {
    // Wrapped or not: the subject column is as wide as the full timestamps beside it leave it.
    const flowed = text.replace(/\s+/g, " ");
    assert.ok(flowed.includes("Добавить русский перевод приветствия (#43)"), "Cyrillic commit subject");
    assert.ok(flowed.includes("添加中文问候语翻译 (#44)"), "Chinese commit subject");
  });

  await t.test("values beginning with = + - @ in a log are neutralised in the CSV", () => {
    const rows = parse(readFileSync(path.join(out, "agent-actions.csv")), { columns: true }) as Record<string, string>[];
    for (const value of HOSTILE) {
      const row = rows.find((r) => r.command?.endsWith(value));
      assert.ok(row, `row for ${value}`);
      assert.equal(row.command, `'${value}`, `${value} is prefixed so a spreadsheet shows it as text`);
    }
  });

  await t.test("samples, memos and OSCAL are in the package", () => {
    assert.match(readFileSync(path.join(out, "sampling-method.txt"), "utf8"), /^Seed: acme-2026\nMethod: /);
    // The workpapers: per control and test, a sample of the test's own items with the result on each.
    const samples = parse(readFileSync(path.join(out, "samples.csv")), { columns: true }) as Record<string, string>[];
    const findingIds = new Set((parse(readFileSync(path.join(out, "findings.csv")), { columns: true }) as Record<string, string>[]).map((f) => f.finding_id));
    const changes = new Set((parse(readFileSync(path.join(out, "changes.csv")), { columns: true }) as Record<string, string>[]).map((c) => `${c.repo}@${c.sha}`));
    assert.ok(samples.some((s) => s.control === "CC8.1" && s.rule === "git-production-changes-reviewed"));
    assert.ok(samples.some((s) => s.control === "CC6.3" && s.rule === "agent-destructive-actions-human-approved"), "CC6.3's sample comes from the destructive production actions it tests");
    for (const s of samples) {
      assert.ok(s.result === "pass" || s.result === "exception", `${s.rule} ${s.item_key}: a result`);
      assert.ok(s.attribute && s.expected && s.observed !== undefined && s.tested_by!.startsWith(`${s.rule} (evidence `), `${s.rule}: attribute, expected, observed, tested_by`);
      if (s.result === "exception") assert.ok(findingIds.has(s.finding_id!), `${s.rule} ${s.item_key}: its finding is in findings.csv`);
      if (s.rule!.startsWith("git-")) assert.ok(changes.has(s.item_key!), `${s.item_key} is a change in changes.csv`);
      assert.ok(Number(s.sample_size) <= Number(s.population_size));
    }
    const memos = readdirSync(path.join(out, "memos"));
    assert.ok(memos.includes("A.8.8-residual-risk-signoff.md") && memos.includes("A.8.8-residual-risk-signoff.pdf"), "the A.8.8 sign-off as Markdown and PDF");
    // aider and Copilot are in the AI tool register with owners: the inventory rule does not flag them, so no memo calls them ungoverned.
    assert.ok(!memos.some((m) => /^ungoverned-(aider|github-copilot)\./.test(m)), memos.join(", "));
    const oscal = JSON.parse(readFileSync(path.join(out, "assessment-results.json"), "utf8")) as { "assessment-results": { results: { start: string; observations: { collected: string }[] }[] } };
    const result = oscal["assessment-results"].results[0]!;
    assert.equal(result.start, "2026-10-01T00:00:00Z");
    assert.ok(result.observations.every((o) => o.collected === "2026-11-01T00:00:00Z"));
    const validate = oscalValidator();
    assert.equal(validate(oscal), true, JSON.stringify(validate.errors?.slice(0, 3)));
  });

  await t.test("a rebuild from the same store writes the same package, the run record aside", async () => {
    const again = path.join(ws, "again");
    build(ws, "2026-10", again, ["--sign-key", signer.priv]);
    const files = readdirSync(out, { recursive: true, encoding: "utf8" }).filter((f) => f.includes(".")).sort();
    // The run record (when, where and by whom the extraction ran) is the one part allowed to differ.
    const withoutRun = async (dir: string, f: string): Promise<string | Buffer> => {
      const file = path.join(dir, f);
      if (f === "manifest.json") {
        const m = JSON.parse(readFileSync(file, "utf8")) as { run?: unknown; outputs: { path: string }[] };
        assert.ok(m.run, "the manifest carries the run record");
        return JSON.stringify({ ...m, run: undefined, outputs: m.outputs.filter((o) => !/\.pdf$|assessment-results/.test(o.path)) });
      }
      if (f === "assessment-results.json") return readFileSync(file, "utf8").replace(/"extracted-(at|on|by)",\s*"ns": "[^"]*",\s*"value": "[^"]*"/g, "");
      if (f.endsWith(".pdf")) return (await pdfText(file)).replace(/Extraction ran .*?(?=Prepared by)/s, "");
      return readFileSync(file);
    };
    for (const f of files.filter((x) => x !== "manifest.sig.json")) {
      const [a, b] = [await withoutRun(out, f), await withoutRun(again, f)];
      assert.ok(typeof a === "string" ? a === b : a.equals(b as Buffer), `${f} differs between runs`);
    }
    for (const f of files.filter((x) => x.endsWith(".csv"))) assert.ok(readFileSync(path.join(out, f)).equals(readFileSync(path.join(again, f))), `${f}: CSVs are byte-identical`);
  });

  const copy = (name: string) => {
    const dir = path.join(ws, name);
    cpSync(out, dir, { recursive: true });
    return dir;
  };
  const verify = (dir: string, ...extra: string[]) => runCli(["verify", dir, ...extra]);

  await t.test("an untouched package verifies, with and without the public key", () => {
    assert.equal(verify(out).status, 0);
    const signed = verify(out, "--public-key", signer.pub);
    assert.equal(signed.status, 0, signed.stdout);
    assert.match(signed.stdout, /^Signature: verifies with the given public key .* covers exactly these files\.$/m);
  });

  await t.test("the signature fails with another key", () => {
    const result = verify(out, "--public-key", other.pub);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^Signature: INVALID: /m);
  });

  await t.test("one byte changed in a CSV, a file deleted, a file added: each reported, exit 1", () => {
    const dir = copy("t-tampered");
    const csv = path.join(dir, "findings.csv");
    const bytes = readFileSync(csv);
    const at = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 1, at);
    writeFileSync(csv, bytes);
    rmSync(path.join(dir, "samples.csv"));
    writeFileSync(path.join(dir, "memos", "extra.md"), "# not part of the build\n");
    const result = verify(dir);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /changed: findings\.csv/);
    assert.match(result.stdout, /missing: samples\.csv/);
    assert.match(result.stdout, /added: {3}memos\/extra\.md/);
    assert.equal(result.stdout.match(/^ {2}(changed|missing|added)/gm)?.length, 3, "exactly the three tampered files");
  });

  await t.test("a manifest edited to hide a change is caught by the signature", () => {
    const forged = copy("t-forged");
    const csv = path.join(forged, "changes.csv");
    writeFileSync(csv, readFileSync(csv, "utf8").replace(/\r\n$/, "\r\nextra,row\r\n"));
    const manifestFile = path.join(forged, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { outputs: { path: string; sha256: string }[] };
    manifest.outputs.find((o) => o.path === "changes.csv")!.sha256 = createHash("sha256").update(readFileSync(csv)).digest("hex");
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
    assert.equal(verifyPackage(forged).intact, true, "hashes alone cannot see a consistent forgery");
    const result = verify(forged, "--public-key", signer.pub);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /changed: changes\.csv/);
    assert.match(result.stdout, /changed: manifest\.json/);
  });
});
