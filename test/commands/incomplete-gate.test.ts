import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { runCli, tempDir } from "../helpers/workspace.ts";
import { pdfText } from "../helpers/pdf-text.ts";

/**
 * A population read from a source that stopped early is marked incomplete: build says so last, in
 * a box; the controls resting on it are never effective; check fails unless --allow-incomplete.
 */
test("a truncated log makes its population incomplete: build boxes it, controls are never effective, check fails without --allow-incomplete", async () => {
  const ws = path.join(tempDir("evidence-incomplete-"), "ws");
  assert.equal(runCli(["init", ws, "--production-account", "111122223333"]).status, 0);
  const config = path.join(ws, "evidence.config.yaml");
  writeFileSync(config, readFileSync(config, "utf8").replace('paths: ["logs/claude-code/**/*.jsonl"]', 'paths: ["logs/claude-code/**/*.jsonl", "logs/claude-code/**/*.jsonl.gz"]'));
  const logs = path.join(ws, "logs", "claude-code");
  mkdirSync(logs, { recursive: true });
  const line = (i: number) =>
    JSON.stringify({ session_id: "s", hook_event_name: "PreToolUse", tool_name: "Bash", tool_use_id: `t${i}`, tool_input: { command: "ls" }, cwd: "/tmp", timestamp: `2026-10-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z` });
  const whole = gzipSync(Array.from({ length: 400 }, (_, i) => line(i)).join("\n") + "\n");
  writeFileSync(path.join(logs, "cut.jsonl.gz"), whole.subarray(0, Math.floor(whole.length * 0.6)));

  const out = path.join(ws, "reports", "2026-10");
  const build = runCli(["build", "--config", config, "--period", "2026-10"]);
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /\| INCOMPLETE POPULATIONS: a source stopped early[\s\S]*logs\/claude-code\/cut\.jsonl\.gz: file ends early[\s\S]*--allow-incomplete/);
  assert.ok(build.stderr.trimEnd().endsWith("+"), "the box is the last thing build prints");
  const controls = parse(readFileSync(path.join(out, "controls.csv")), { columns: true }) as { control: string; status: string; reason: string }[];
  assert.ok(controls.every((c) => c.status !== "effective" || !/agent/.test(c.reason)), "no control resting on the cut log is effective");

  const pdf = (await pdfText(path.join(out, "report.pdf"))).replace(/\s+/g, " ");
  assert.match(pdf, /claude-code .*? over what was read only: 1 file stopped early/, "the reconciliation never says 'adds up exactly' over a truncated read");
  assert.doesNotMatch(pdf, /claude-code 1 \d+ \d+ \d+ \d+ \d+ yes, exactly/);

  const gate = ["check", "--config", config, "--period", "2026-10", "--min-coverage", "0", "--fail-on", "none"];
  const failed = runCli(gate);
  assert.equal(failed.status, 1, failed.stdout + failed.stderr);
  assert.match(failed.stdout, /rests on a population that may be incomplete: logs\/claude-code\/cut\.jsonl\.gz/);
  const allowed = runCli([...gate, "--allow-incomplete"]);
  assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
});
