import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfigText } from "../../src/config.ts";
import { InputError } from "../../src/errors.ts";
import { createRedactor } from "../../src/redact/index.ts";
import { redosRisk } from "../../src/redact/redos.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

// prettier-ignore
const RISKY: [regex: string, why: RegExp][] = [
  ["(a+)+$", /nested quantifiers/],
  ["x(a*)*y", /nested quantifiers/],
  ["tok_(?:[a-z0-9]+-?)+!", /nested quantifiers/],
  ["x(a|a)*y", /alternation/],
  ["k=(a|ab)*c", /alternation/],
  ["k=(\\w|\\d)+;", /alternation/],
  ["k=(?:[a-f]|\\d|[0-9])+;", /alternation/],
  ["k=\\d+\\d*x", /polynomial/],
  ["k=\\s*.*\\s*;", /polynomial/],
  [".*password=(\\S+)", /starts with the unbounded repeat \.\*/],
  ["\\w+@corp", /starts with the unbounded repeat/],
  ["(?:[A-Z]+)-\\d{4}", /starts with the unbounded repeat/],
];

// prettier-ignore
const SAFE = [
  "ACME-[0-9A-F]{16}", "acme_tok_([a-z0-9]{16})", "\\b[0-9a-f]{8}\\b", "kennwörter=(\\S+)", "x(?:foo|bar)+", "token=([A-Za-z0-9]{20,})",
  "key\\s*=\\s*(\\w+)", "^.*$", "(?<![A-Za-z0-9])corp_[A-Za-z0-9]{32}(?![A-Za-z0-9])", "[A-Z]{3}-\\d{6}", "pass(?:word)?:\\s*(\\S{6,64})",
];

test("risky user patterns are named with the reason; ordinary token patterns pass", () => {
  for (const [regex, why] of RISKY) assert.match(redosRisk(regex) ?? "accepted", why, regex);
  for (const regex of SAFE) assert.equal(redosRisk(regex), null, regex);
  // Case folding decides whether two alternatives overlap.
  assert.equal(redosRisk("k=(?:A|b|B)+;"), null);
  assert.match(redosRisk("k=(?:A|b|B)+;", "i") ?? "", /alternation/);
});

test("a risky redaction pattern is refused at config load, naming its id and why", () => {
  const config = (regex: string) => `organisation: { name: Acme }\nsources: []\nredaction:\n  patterns:\n    - { id: acme-slow, regex: ${JSON.stringify(regex)} }\n`;
  assert.throws(() => parseConfigText(config("(a+)+$"), "evidence.config.yaml"), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /redaction pattern "acme-slow": regex can take exponential or polynomial time: nested quantifiers/);
    return true;
  });
  assert.doesNotThrow(() => parseConfigText(config("ACME-[0-9A-F]{16}"), "evidence.config.yaml"));
  // The redactor refuses it too, whoever builds one from user patterns.
  assert.throws(() => createRedactor([{ id: "acme-slow", description: "", regex: "(a+)+$" }]), /"acme-slow": regex can take exponential/);
});

test("the CLI exits 2 on such a pattern instead of hanging the ingest", (t) => {
  const ws = tempDir("evidence-redos-");
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  mkdirSync(path.join(ws, "logs"));
  // A line that keeps `(a+)+$` backtracking for hours: it must never be run.
  writeFileSync(path.join(ws, "logs", "hooks.jsonl"), JSON.stringify({ session_id: "s", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: `echo ${"a".repeat(40)}!` } }) + "\n");
  writeFileSync(
    path.join(ws, "evidence.config.yaml"),
    `organisation: { name: Acme }\nsources:\n  - { name: hooks, kind: claude-code-hooks, paths: ["logs/*.jsonl"] }\nredaction:\n  patterns:\n    - { id: acme-slow, regex: "(a+)+$" }\n`,
  );
  // Killed after a minute: without the check the ingest would run the pattern on that line for hours.
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "evidence.js"), "ingest", "--config", path.join(ws, "evidence.config.yaml")], {
    encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL",
  });
  assert.equal(r.status, 2, `status ${r.status} (signal ${r.signal}): ${r.stderr}`);
  assert.match(r.stderr, /acme-slow/);
  assert.match(r.stderr, /nested quantifiers/);
});

test("no catastrophic backtracking: 1 MB of repeated near-matches per pattern", () => {
  const MB = 1 << 20;
  const units = [
    "-----BEGIN RSA PRIVATE KEY-----\nMIIB", "-----BEGIN A A A ", "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENC",
    "ghp_aaaaaaaaaaaaaaaaaaaa ", "github_pat_", "glpat-abc ", "xoxb-", "xoxb-abcdefghij ", "hooks.slack.com/services/",
    "sk-ant-api03-", "sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaT3Blbk", "eyJhbGciOiJIUzI1NiJ9.eyJ", "eyJaaaaaaaaaaaaaaa.",
    "aws_secret_access_key=abcdefghijklmnopqrstuvwxyz0123456789/+A ", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE ",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE secret_access_", "Authorization: ", "Authorization: Bearer $", "Bearer aaaaaaaaaaaaaaaaaaaaaaaaa ",
    "x-api-key-x-api-key-", "x-----------", "https://a:b", "://:", "https://user:pass/", 'password: "\\', "secret='abc\\'",
    "PASSWORD=", "a_b_c_d_e_f_", "_pass_pass", "password: a b c d e f g h ", "  - password: a #", "tokensecret", "[REDACTED:x:12345678]",
    "mysql ", "mysql -p", "mysql -p'", "sshpass -p ", "docker login -p ", "docker ", "redis-cli -a ", "curl -u a:", "curl ", "--password ", "--a-b-c-d-",
    "_authToken ", "AccountKey=", "://a:b@c@", "://a:b@", "sk_live_aaaa", "AIzaAIza", "npm_", "hf_", "SG.a.", "SKSKSK", "MYSQL_PWD=",
  ];
  const redactor = createRedactor();
  let worst = { unit: "", ms: 0 };
  for (const unit of units) {
    const variants = new Set([unit, `${unit}\n`, unit.replace(/\s/g, "")]);
    for (const text of [...variants].map((v) => v.repeat(Math.ceil(MB / v.length)))) {
      // CPU time, not wall time: steadier on a shared machine.
      const started = process.cpuUsage();
      redactor.redact(text.slice(0, MB));
      const used = process.cpuUsage(started);
      const ms = (used.user + used.system) / 1000;
      if (ms > worst.ms) worst = { unit, ms };
    }
  }
  console.log(`redaction: worst 1 MB near-match input took ${worst.ms.toFixed(0)} ms (${JSON.stringify(worst.unit)})`);
  assert.ok(worst.ms < 3000, `${JSON.stringify(worst.unit)} took ${worst.ms} ms`);
});
