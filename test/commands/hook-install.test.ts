import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { hookInstall, planInstall } from "../../src/commands/hook-install.ts";
import { InputError } from "../../src/errors.ts";
import { runCli, tempDir } from "../helpers/workspace.ts";

/** `evidence hook install` adds the hook to each agent's own configuration and leaves everything else as it was. */
function dirs(t: TestContext) {
  const home = tempDir("evidence-home-");
  const project = tempDir("evidence-project-");
  t.after(() => [home, project].forEach((d) => rmSync(d, { recursive: true, force: true })));
  return { home, project };
}

test("Claude Code: hooks added to settings.json beside the user's own settings and hooks; a second install changes nothing", (t) => {
  const { home, project } = dirs(t);
  const file = path.join(home, ".claude", "settings.json");
  mkdirSync(path.dirname(file), { recursive: true });
  const mine = { permissions: { deny: ["Bash(rm -rf *)"] }, hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "my-linter" }] }] }, model: "opus" };
  writeFileSync(file, JSON.stringify(mine));
  const lines: string[] = [];
  assert.equal(hookInstall({ agent: "claude-code", scope: "user", dryRun: false, home, project }, (l) => lines.push(l)), 0);
  const after = JSON.parse(readFileSync(file, "utf8")) as typeof mine & { hooks: Record<string, { matcher?: string; hooks: { command: string }[] }[]> };
  assert.deepEqual(after.permissions, mine.permissions);
  assert.equal(after.model, "opus");
  assert.deepEqual(after.hooks.PreToolUse!.map((h) => [h.matcher, h.hooks[0]!.command]), [["Bash", "my-linter"], ["*", "evidence hook --agent claude-code"]]);
  assert.deepEqual(Object.keys(after.hooks).sort(), ["PermissionDenied", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PreToolUse", "SessionStart", "UserPromptSubmit"]);
  assert.equal(after.hooks.SessionStart![0]!.matcher, undefined);
  assert.match(lines[0]!, /^Changed: .*settings\.json$/);
  assert.ok(lines.includes('  PreToolUse: added "evidence hook --agent claude-code"'));

  const text = readFileSync(file, "utf8");
  const again: string[] = [];
  hookInstall({ agent: "claude-code", scope: "user", dryRun: false, home, project }, (l) => again.push(l));
  assert.equal(readFileSync(file, "utf8"), text);
  assert.match(again[0]!, /^Unchanged: .*\(the hook is already installed\)$/);
});

test("Cursor project scope: a new .cursor/hooks.json with version 1; --dry-run prints it and writes nothing", (t) => {
  const { home, project } = dirs(t);
  const lines: string[] = [];
  hookInstall({ agent: "cursor", scope: "project", dryRun: true, home, project, dir: "/var/log/agent hooks" }, (l) => lines.push(l));
  assert.match(lines[0]!, /^Would change: .*\.cursor\/hooks\.json$/);
  assert.throws(() => readFileSync(path.join(project, ".cursor", "hooks.json")), /ENOENT/);
  const printed = JSON.parse(lines.at(-1)!) as { version: number; hooks: Record<string, { command: string }[]> };
  assert.equal(printed.version, 1);
  assert.deepEqual(printed.hooks.beforeShellExecution, [{ command: "evidence hook --agent cursor --dir '/var/log/agent hooks'" }]);
});

test("Codex: [[hooks.<Event>]] tables appended to config.toml, the rest of the file byte for byte", (t) => {
  const { home, project } = dirs(t);
  const file = path.join(home, ".codex", "config.toml");
  mkdirSync(path.dirname(file), { recursive: true });
  const mine = `# my settings\nmodel = "gpt-5-codex"\napproval_policy = "on-request"\n\n[sandbox_workspace_write]\nnetwork_access = false\n`;
  writeFileSync(file, mine);
  hookInstall({ agent: "codex", scope: "user", dryRun: false, home, project, failClosed: true }, () => {});
  const text = readFileSync(file, "utf8");
  assert.ok(text.startsWith(mine));
  const doc = parseToml(text) as { model: string; hooks: Record<string, { matcher?: string; hooks: { type: string; command: string }[] }[]> };
  assert.equal(doc.model, "gpt-5-codex");
  assert.deepEqual(JSON.parse(JSON.stringify(doc.hooks.PreToolUse)), [{ matcher: "*", hooks: [{ type: "command", command: "evidence hook --agent codex --fail-closed" }] }]);
  assert.equal(planInstall("codex", file, text, "evidence hook --agent codex --fail-closed").text, text, "installed once");
});

test("a configuration it cannot read is an input error naming the file, and nothing is written", (t) => {
  const { home, project } = dirs(t);
  const file = path.join(project, ".claude", "settings.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "{ not json");
  assert.throws(() => hookInstall({ agent: "claude-code", scope: "project", dryRun: false, home, project }, () => {}), (e: unknown) => e instanceof InputError && e.message.startsWith(file) && /nothing was changed/.test(e.message));
  assert.equal(readFileSync(file, "utf8"), "{ not json");
  assert.throws(() => planInstall("codex", "c.toml", 'hooks = { PreToolUse = 1 }\n', "evidence hook --agent codex"), /cannot be extended|not valid TOML/);
});

test("the CLI: hook install --dry-run prints the change and exits 0; an agent it cannot configure is a usage error (exit 2)", (t) => {
  const { project } = dirs(t);
  const r = runCli(["hook", "install", "--agent", "cursor", "--scope", "project", "--dry-run"], { cwd: project });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Would change: .*\.cursor\/hooks\.json\n {2}afterFileEdit: added "evidence hook --agent cursor"/);
  const k = runCli(["hook", "install", "--agent", "kiro", "--dry-run"], { cwd: project });
  assert.equal(k.status, 2);
  assert.match(k.stderr, /add "evidence hook --agent kiro" to its hook configuration by hand/);
});
