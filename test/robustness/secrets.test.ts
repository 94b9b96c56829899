import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { TestRepo } from "../helpers/git-repo.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { runCli, tempDir } from "../helpers/workspace.ts";

/**
 * End to end: a workspace whose agent commands, tool outputs, transcript, CloudTrail request
 * parameters and commit messages each carry one secret of every kind. After `evidence build`, no
 * secret appears in any file of the package (PDF text included) or in the store, every one was
 * redacted under its pattern id and hash (so it was counted), the configured extra pattern
 * applies, the CloudTrail identity's access key id (needed for attribution) is kept, the
 * redaction counts per file agree between the store, the summary and the inventory, and no input
 * file was modified.
 */
const h8 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

interface Secret {
  id: string;
  value: string;
}

/** One secret of each kind, distinct per channel `c`, each inside the text it would appear in. */
function secrets(c: number): { texts: string[]; expected: Secret[] } {
  const v = {
    keyId: `AKIAQ7W2E4R6T8Y1U3I${c}`, secretKey: `wJalrXUtnFEMI/K7MDENG/bPxRfiCYZq9Xk2Lp0${c}`, github: `ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R${c}`,
    gitlab: `glpat-Xy9zAb8Cd7Ef6Gh5Ij4${c}`, slack: `xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvW${c}`,
    jwt: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyJHtjfSIsImlhdCI6MTUxNjIzOTAyMn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5${c}`,
    bearer: `f3c9a1b7e2d84c6f9a0b5e7d1c3f8a2${c}`, urlPassword: `S3cr3t-Passw0rd-${c}`, env: `hunter2-${c}-Zx81`, acme: `ACME-0123456789ABCDE${c}`,
    key: `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF${c}\nq8nRrT5oN1mD0kAx1B7fZ3wQy9sK2LmN5pR8tU1vW3xY6zA9bC2dE4fG7hJ0kL3m\n-----END RSA PRIVATE KEY-----`,
  };
  return {
    texts: [
      `export AWS_ACCESS_KEY_ID=${v.keyId} AWS_SECRET_ACCESS_KEY=${v.secretKey} && aws s3 ls`,
      `git clone https://x-access-token:${v.github}@github.com/acme/api.git`,
      `git push https://oauth2:${v.gitlab}@gitlab.com/acme/api.git`,
      `curl -d token=${v.slack} https://slack.com/api/chat.postMessage`,
      `curl -H "Authorization: Bearer ${v.bearer}" https://api.acme.example`,
      `psql postgres://admin:${v.urlPassword}@db.internal:5432/app`,
      `echo DB_PASSWORD=${v.env} >> .env`,
      `curl -H 'X-Session: ${v.jwt}' https://api.acme.example/me`,
      `cat <<EOF > key.pem\n${v.key}\nEOF`,
      // Under a flag no default pattern knows (--token would be cli-password-option's), so only the configured pattern can catch it.
      `deploy --release ${v.acme}`,
    ],
    expected: [
      { id: "aws-access-key-id", value: v.keyId }, { id: "aws-secret-access-key", value: v.secretKey }, { id: "github-token", value: v.github },
      { id: "gitlab-token", value: v.gitlab }, { id: "slack-token", value: v.slack }, { id: "authorization-header", value: v.bearer },
      { id: "url-password", value: v.urlPassword }, { id: "secret-assignment-env", value: v.env }, { id: "jwt", value: v.jwt },
      { id: "private-key-block", value: v.key }, { id: "acme-internal-token", value: v.acme },
    ],
  };
}

const SESSION = "5b0c1d2e-0000-4000-a000-00000000cafe";
const at = (minute: number) => `2026-10-14T09:${String(minute).padStart(2, "0")}:00.000Z`;

function hookLog(commands: string[], outputs: string[]): string {
  const lines: unknown[] = [];
  const base = { session_id: SESSION, cwd: "/srv/prod/api", permission_mode: "default" };
  commands.forEach((command, i) => {
    const id = `toolu_cmd${i}`;
    lines.push({ ...base, timestamp: at(i), hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, tool_use_id: id });
    lines.push({ ...base, timestamp: at(i), hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command }, tool_use_id: id, tool_response: { stdout: "ok", stderr: "", interrupted: false } });
  });
  // Tool outputs are not stored by the hook parser, except as the excerpt of a damaged line: this
  // line is cut short (invalid JSON), and its first secret straddles the 200-character excerpt cut.
  const prefix = '{"hook_event_name":"PostToolUse","tool_response":{"stdout":"';
  const pad = " ".repeat(Math.max(0, 190 - prefix.length - "export AWS_ACCESS_KEY_ID=".length));
  const broken = prefix + JSON.stringify(pad + outputs.join("\n")).slice(1, -1);
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n" + broken + "\n";
}

function transcript(texts: string[]): string {
  const lines = texts.flatMap((text, i) => [
    { type: "assistant", sessionId: "tr-1", cwd: "/srv/app", timestamp: at(i), uuid: `a${i}`, message: { role: "assistant", content: [{ type: "tool_use", id: `toolu_tr${i}`, name: "Bash", input: { command: text } }] } },
    { type: "user", sessionId: "tr-1", cwd: "/srv/app", timestamp: at(i), uuid: `r${i}`, message: { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_tr${i}`, content: `ran: ${text}` }] } },
  ]);
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

const IDENTITY_KEY = "ASIAQ7W2E4R6IDENT001";

function trail(commands: string[]): Buffer {
  const record = {
    eventVersion: "1.09", eventTime: "2026-10-14T09:40:00Z", eventSource: "ssm.amazonaws.com", eventName: "SendCommand", awsRegion: "eu-west-1",
    // A failed call: the storage policy keeps errors as full rows (ordinary calls become counts), so the redacted parameters are stored and checkable.
    errorCode: "InvalidInstanceId",
    sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.1", eventID: "5ec7e75e-0000-4000-a000-000000000001", eventType: "AwsApiCall", recipientAccountId: "111122223333",
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ops/sam", accountId: "111122223333", accessKeyId: IDENTITY_KEY },
    requestParameters: { documentName: "AWS-RunShellScript", instanceIds: ["i-0abc"], parameters: { commands } },
  };
  return gzipSync(JSON.stringify({ Records: [record] }));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

function hashTree(dir: string, skip: RegExp): Map<string, string> {
  return new Map(listFiles(dir).filter((f) => !skip.test(f)).map((f) => [f, `${createHash("sha256").update(readFileSync(path.join(dir, f))).digest("hex")} ${statSync(path.join(dir, f)).mtimeMs}`]));
}

test("no seeded secret reaches the package or the store; each is redacted and counted per source", async (t) => {
  const ws = tempDir("evidence-secrets-");
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const [commands, outputs, tr, ct, git] = [1, 2, 3, 4, 5].map(secrets) as [ReturnType<typeof secrets>, ...ReturnType<typeof secrets>[]];
  mkdirSync(path.join(ws, "logs"));
  writeFileSync(path.join(ws, "logs", "hooks.jsonl"), hookLog(commands.texts, outputs!.texts));
  writeFileSync(path.join(ws, "logs", "transcript.jsonl"), transcript(tr!.texts));
  const trailDir = path.join(ws, "cloudtrail", "AWSLogs", "111122223333", "CloudTrail", "eu-west-1", "2026", "10", "14");
  mkdirSync(trailDir, { recursive: true });
  writeFileSync(path.join(trailDir, "111122223333_CloudTrail_eu-west-1_20261014T0940Z_5ec7e75e0000a001.json.gz"), trail(ct!.texts));
  const repo = new TestRepo();
  t.after(() => rmSync(repo.dir, { recursive: true, force: true }));
  for (const text of git!.texts) repo.commit(`Deploy fix\n\n${text}`);
  repo.git(["bundle", "create", path.join(ws, "api.bundle"), "main"]);
  writeFileSync(
    path.join(ws, "evidence.config.yaml"),
    `organisation: { name: Secret Co }
sources:
  - { name: hooks, kind: claude-code-hooks, paths: ["logs/hooks.jsonl"] }
  - { name: transcripts, kind: claude-code-transcript, paths: ["logs/transcript.jsonl"] }
  - { name: cloudtrail, kind: cloudtrail, paths: ["cloudtrail/**/*.json.gz"] }
  - { name: code, kind: git, repository: api.bundle }
agents:
  - { id: claude-code, product: claude-code, match: { logProducts: [claude-code] } }
redaction:
  patterns:
    - { id: acme-internal-token, description: "Acme deploy token", regex: "ACME-[0-9A-F]{16}", keywords: ["acme-"] }
`,
  );
  const inputsBefore = hashTree(ws, /^(\.evidence|out)\//);
  const out = path.join(ws, "out");
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--json"]);
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as { ingest: { files: { source: string; path: string; redacted: number; status: string }[] } };
  assert.deepEqual(hashTree(ws, /^(\.evidence|out)\//), inputsBefore, "no input file was modified (content or mtime)");

  // Secrets whose placeholder must be stored; the tool outputs' only reach the store as a 200-character excerpt.
  const channels = { hooks: commands.expected, transcripts: tr!.expected, cloudtrail: ct!.expected, code: git!.expected };
  const all = [...Object.values(channels).flat(), ...outputs!.expected];

  // Nowhere in the package: every file's bytes, and the PDF's extracted text.
  const files = listFiles(out);
  assert.ok(files.includes("report.pdf") && files.some((f) => f.endsWith(".csv")));
  const corpus = files.map((f) => readFileSync(path.join(out, f), "latin1")).join("\n") + (await pdfText(path.join(out, "report.pdf")));
  // The first 8 characters: a secret cut in half (an excerpt cut through it) must not survive either.
  const head = (s: Secret) => s.value.slice(0, 8);
  for (const s of all) assert.ok(!corpus.includes(head(s)), `${s.id} ${head(s)}… leaked into the package`);
  assert.match(readFileSync(path.join(out, "agent-actions.csv"), "utf8"), /\[REDACTED:github-token:[0-9a-f]{8}\]/, "redacted commands do reach the package");

  // Nowhere in the store either, while each secret's placeholder is: it was redacted and counted.
  const storeFile = path.join(ws, ".evidence", "evidence.db");
  const store = readFileSync(storeFile).toString("latin1");
  for (const s of all) assert.ok(!store.includes(head(s)), `${s.id} ${head(s)}… is in the store`);
  const db = new Database(storeFile, { readonly: true });
  const text = (db.prepare("SELECT group_concat(coalesce(session_id, '') || ' ' || coalesce(command, '') || ' ' || attrs, ' ') FROM events").pluck().get() as string) +
    (db.prepare("SELECT group_concat(subject || ' ' || body, ' ') FROM commits").pluck().get() as string) +
    (db.prepare("SELECT coalesce(group_concat(coalesce(command, '') || ' ' || attrs, ' '), '') FROM observations").pluck().get() as string);
  for (const [source, expected] of Object.entries(channels)) {
    for (const s of expected) assert.ok(text.includes(`[REDACTED:${s.id}:${h8(s.value)}]`), `${source}: ${s.id} not redacted under its own id and hash`);
  }
  assert.ok(text.includes(IDENTITY_KEY), "the CloudTrail identity's access key id is kept for attribution");

  // Counts per file agree between the store, the build summary and the inventory; per source at least the seeded secrets.
  const stored = db.prepare("SELECT source, path, redacted FROM source_files").all() as { source: string; path: string; redacted: number }[];
  db.close();
  const inventory = readFileSync(path.join(out, "evidence-inventory.csv"), "utf8").trim().split("\r\n");
  const header = inventory[0]!.split(",");
  for (const row of stored) {
    const reported = summary.ingest.files.find((f) => f.source === row.source && f.path === row.path);
    assert.equal(reported?.redacted, row.redacted, `${row.path}: summary vs store`);
    const line = inventory.find((l) => l.split(",")[header.indexOf("path")] === row.path);
    assert.equal(Number(line?.split(",")[header.indexOf("redacted")]), row.redacted, `${row.path}: inventory vs store`);
  }
  for (const [source, expected] of Object.entries({ ...channels, hooks: [...commands.expected, ...outputs!.expected] })) {
    const n = stored.filter((r) => r.source === source).reduce((sum, r) => sum + r.redacted, 0);
    assert.ok(n >= expected.length, `${source}: ${n} redactions counted for ${expected.length} seeded secrets`);
  }
  const excerpt = readFileSync(path.join(out, "rejects.csv"), "utf8");
  assert.match(excerpt, /\[REDACTED:aws-access-key-id:[0-9a-f]{8}\]/, "the damaged line's excerpt is redacted before it is cut");
  // Retention through the CLI: records before the cutoff go, the build's results stay.
  const purge = runCli(["purge", "--config", path.join(ws, "evidence.config.yaml"), "--before", "2026-10-14T09:05:00Z", "--json"]);
  assert.equal(purge.status, 0, purge.stderr);
  assert.ok((JSON.parse(purge.stdout) as { removed: { events: number } }).removed.events > 0);
  const after = new Database(storeFile, { readonly: true });
  assert.equal(after.prepare("SELECT count(*) FROM events WHERE time < '2026-10-14T09:05:00.000Z'").pluck().get(), 0);
  assert.equal(after.prepare("SELECT count(*) FROM builds").pluck().get(), 1);
  after.close();
  console.log(`secrets e2e: ${all.length} secrets of ${new Set(all.map((s) => s.id)).size} kinds over 5 channels; none in ${files.length} package files or the store`);
});
