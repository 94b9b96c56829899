import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createAgentSettingsParser, parseRule } from "../../src/ingest/agent/agent-settings.ts";
import { detectFormat } from "../../src/ingest/agent/detect.ts";
import { parserInput } from "../../src/ingest/files.ts";
import type { AgentSettingsRecord } from "../../src/store/agent-settings.ts";
import { FileWriter, openStore } from "../../src/store/index.ts";
import { testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "claude-code");

async function read(file: string) {
  const settings: AgentSettingsRecord[] = [];
  const rejects: string[] = [];
  for await (const item of createAgentSettingsParser(testContext()).parse(parserInput(DIR, path.join(DIR, file)))) {
    if (item.kind === "agent-settings") settings.push(item.settings);
    if (item.kind === "reject") rejects.push(`${item.reject.locator}: ${item.reject.reason}`);
  }
  return { settings, rejects };
}
const verdict = (s: AgentSettingsRecord, command: string) => s.probes.find((p) => p.command === command)?.verdict;

test("Claude project settings: rules as written, deny rules that stop destructive commands, bypass disabled", async () => {
  const { settings: [s] } = await read("settings/project/.claude/settings.json");
  assert.ok(s);
  assert.deepEqual([s.product, s.scope, s.defaultMode, s.bypassDisabled, s.bypassDefault], ["claude-code", "shared", "default", true, false]);
  assert.deepEqual(s.rules.filter((r) => r.list === "deny").map((r) => [r.tool, r.specifier, r.destructive]), [
    ["Bash", "rm -rf *", true], ["Bash", "terraform destroy:*", true], ["Bash", "kubectl delete *", true], ["Read", "./.env", false],
  ]);
  assert.equal(verdict(s, "rm -rf /"), "deny");
  assert.equal(verdict(s, "terraform destroy -auto-approve"), "deny");
  assert.equal(verdict(s, "git push --force origin main"), "ask");
  assert.equal(verdict(s, "aws cloudformation delete-stack --stack-name prod-api"), "unmatched");
  assert.ok(!s.remarks.some((r) => /disableBypassPermissionsMode/.test(r)));
});

test("Claude local settings in bypassPermissions with a bare Bash allow let every destructive command run", async () => {
  const { settings: [s] } = await read("settings/project/.claude/settings.local.json");
  assert.ok(s);
  assert.deepEqual([s.scope, s.bypassDefault, s.bypassDisabled], ["local", true, false]);
  assert.ok(s.probes.every((p) => p.verdict === "allow"));
  assert.ok(s.rules.find((r) => r.rule === "Bash")!.destructive);
  assert.ok(s.remarks.some((r) => /defaultMode bypassPermissions/.test(r)) && s.remarks.some((r) => /no deny rules/.test(r)));
});

test("managed settings: wildcards anywhere in a rule; unknown keys are ignored", async () => {
  const { settings: [s] } = await read("settings/managed/managed-settings.json");
  assert.ok(s);
  assert.equal(s.scope, "managed");
  assert.equal(verdict(s, "aws cloudformation delete-stack --stack-name prod-api"), "deny");
  assert.equal(verdict(s, "git push --force origin main"), "deny");
  assert.equal(verdict(s, "rm -rf /"), "unmatched");
});

test("Cursor CLI permissions: Shell(cmd) names a command, Shell(cmd:*) a prefix; deny wins", async () => {
  const { settings: [s] } = await read("settings/cursor/cli-config.json");
  assert.ok(s);
  assert.deepEqual([s.product, s.scope, s.bypassDisabled], ["cursor", "user", null]);
  assert.equal(verdict(s, "rm -rf /"), "deny");
  assert.equal(verdict(s, "git push --force origin main"), "allow", "Shell(git) allows every git command");
  assert.equal(verdict(s, "terraform destroy -auto-approve"), "unmatched");
});

test("Codex config.toml: approval policy and sandbox; a profile that disables approval is called out", async () => {
  const { settings: [s] } = await read("settings/codex/config.toml");
  assert.ok(s);
  assert.deepEqual([s.product, s.defaultMode, s.sandbox, s.bypassDefault], ["codex", "on-request", "workspace-write", false]);
  assert.ok(s.remarks.includes("profile yolo sets approval_policy never"));
});

test("a broken settings file is one reject, not a crash", async () => {
  const { settings, rejects } = await read("settings-broken.json");
  assert.equal(settings.length, 0);
  assert.match(rejects[0]!, /^file: not valid JSON/);
});

test("rule matching", () => {
  const legacy = parseRule("allow", "Bash(npm run test:*)", ["Bash"], false);
  assert.ok(legacy.matches("npm run test -- --watch"));
  assert.ok(!legacy.matches("npm publish"));
  const spaced = parseRule("allow", "Bash(npm run test *)", ["Bash"], false);
  assert.ok(spaced.matches("npm run test"));
  assert.ok(spaced.matches("npm run test unit"));
  assert.ok(!parseRule("deny", "Read(./.env)", ["Bash"], false).matches("cat ./.env"), "only shell rules match commands");
  assert.ok(parseRule("deny", "Shell(rm)", ["Shell"], true).matches("rm -rf /"));
  assert.ok(!parseRule("deny", "Shell(rm)", ["Shell"], true).matches("rmdir x"));
});

test("settings files are detected by name and stored with their rules and posture", async () => {
  assert.equal(detectFormat({ relPath: "x/.claude/settings.local.json", first: {} }), "agent-settings");
  assert.equal(detectFormat({ relPath: "home/.codex/config.toml", first: undefined }), "agent-settings");
  const db = openStore(path.join(tempDir(), "e.db"));
  const writer = new FileWriter(db, {
    source: "s", path: "settings.json", kind: "agent-settings", sha256: "0", size: 0, parser: "agent-settings", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z",
  });
  const { settings: [s] } = await read("settings/project/.claude/settings.json");
  writer.agentSettings(s!);
  writer.commit();
  const row = db.prepare("SELECT * FROM agent_settings").get() as Record<string, unknown>;
  assert.deepEqual([row.deny_count, row.destructive_denied, row.bypass_disabled], [4, 4, 1]);
  assert.equal((db.prepare("SELECT count(*) AS n FROM agent_setting_rules WHERE destructive = 1").get() as { n: number }).n, 4, "three deny rules and the ask rule for git push");
});
