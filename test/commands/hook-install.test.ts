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
  const k = runCli(["hook", "install", "--agent", "aider", "--dry-run"], { cwd: project });
  assert.equal(k.status, 2);
  assert.match(k.stderr, /aider/);
});

/**
 * Gemini CLI, Copilot CLI, Kiro and Windsurf, each in its own documented shape (sources in
 * src/commands/hook-install.ts). Unsure parts are checked as written, and said so: the Kiro
 * user-wide folder ~/.kiro/hooks/ is observed in third-party installers, not on Kiro's page.
 */
interface AgentCase {
  agent: "gemini" | "copilot-cli" | "kiro" | "windsurf";
  user: string[];
  project: string[];
  /** The user's own file before install. */
  mine: Record<string, unknown>;
  /** The keys of `mine` that must survive as they were. */
  kept: string[];
  /** Event -> the commands registered for it, read back from the written file. */
  read: (doc: Record<string, unknown>) => Record<string, string[]>;
  events: string[];
}

type Entry = Record<string, unknown>;
const list = (v: unknown) => (Array.isArray(v) ? (v as Entry[]) : []);
const nested = (doc: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(doc.hooks as Record<string, unknown>).filter(([, v]) => Array.isArray(v)).map(([event, v]) => [event, list(v).flatMap((g) => list(g.hooks).map((h) => String(h.command)))]));
const flat = (key: string) => (doc: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(doc.hooks as Record<string, unknown>).map(([event, v]) => [event, list(v).map((h) => String(h[key]))]));

const CASES: AgentCase[] = [
  {
    agent: "gemini",
    user: [".gemini", "settings.json"],
    project: [".gemini", "settings.json"],
    mine: { model: { name: "gemini-2.5-pro" }, hooksConfig: { enabled: true }, hooks: { BeforeTool: [{ matcher: "write_file", hooks: [{ type: "command", command: "my-linter" }] }] } },
    kept: ["model", "hooksConfig"],
    read: nested,
    events: ["AfterTool", "BeforeAgent", "BeforeTool", "Notification", "SessionEnd", "SessionStart"],
  },
  {
    agent: "copilot-cli",
    user: [".copilot", "hooks", "evidence.json"],
    project: [".github", "hooks", "evidence.json"],
    mine: { version: 1, hooks: { preToolUse: [{ type: "command", bash: "my-linter" }] }, note: "mine" },
    kept: ["version", "note"],
    read: flat("bash"),
    events: ["errorOccurred", "permissionRequest", "postToolUse", "preToolUse", "sessionEnd", "sessionStart", "userPromptSubmitted"],
  },
  {
    agent: "kiro",
    user: [".kiro", "hooks", "evidence.json"],
    project: [".kiro", "hooks", "evidence.json"],
    mine: { version: "v1", hooks: [{ name: "lint-on-save", trigger: "PostFileSave", matcher: "\\.ts$", action: { type: "command", command: "npm run lint" } }] },
    kept: ["version"],
    read: (doc) => {
      const out: Record<string, string[]> = {};
      for (const h of list(doc.hooks)) (out[String(h.trigger)] ??= []).push(String((h.action as Entry).command));
      return out;
    },
    events: ["PostFileSave", "PostToolUse", "PreToolUse", "SessionStart", "Stop", "UserPromptSubmit"],
  },
  {
    agent: "windsurf",
    user: [".codeium", "windsurf", "hooks.json"],
    project: [".windsurf", "hooks.json"],
    mine: { hooks: { pre_run_command: [{ command: "my-linter", show_output: true }] }, note: "mine" },
    kept: ["note"],
    read: flat("command"),
    events: ["post_mcp_tool_use", "post_read_code", "post_run_command", "post_write_code", "pre_mcp_tool_use", "pre_read_code", "pre_run_command", "pre_user_prompt", "pre_write_code"],
  },
];

for (const c of CASES) {
  test(`${c.agent}: user and project scope; unrelated keys kept; the second install changes nothing; --dry-run writes nothing`, (t) => {
    const { home, project } = dirs(t);
    const expected = (event: string) => (c.agent === "copilot-cli" ? `evidence hook --agent copilot-cli --event ${event}` : `evidence hook --agent ${c.agent}`);
    for (const scope of ["user", "project"] as const) {
      const file = path.join(scope === "user" ? home : project, ...c[scope]);
      // --dry-run first: prints the planned file and creates nothing, not even the folder.
      const dry: string[] = [];
      hookInstall({ agent: c.agent, scope, dryRun: true, home, project }, (l) => dry.push(l));
      assert.equal(dry[0], `Would change: ${file}`);
      assert.throws(() => readFileSync(file), /ENOENT/);
      assert.deepEqual(Object.keys(c.read(JSON.parse(dry.at(-1)!) as Record<string, unknown>)).sort(), c.events.filter((e) => e !== "PostFileSave"));

      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(c.mine));
      const lines: string[] = [];
      hookInstall({ agent: c.agent, scope, dryRun: false, home, project }, (l) => lines.push(l));
      assert.equal(lines[0], `Changed: ${file}`);
      const after = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      for (const k of c.kept) assert.deepEqual(after[k], c.mine[k], `${c.agent} ${scope}: "${k}" kept`);
      const commands = c.read(after);
      assert.deepEqual(Object.keys(commands).sort(), c.events);
      for (const event of c.events) {
        if (event === "PostFileSave") continue;
        assert.deepEqual(commands[event]!.filter((x) => x.startsWith("evidence ")), [expected(event)], `${c.agent} ${scope} ${event}`);
      }
      // The user's own hook is still there, first.
      const own = Object.values(commands).flat().filter((x) => !x.startsWith("evidence "));
      assert.equal(own.length, 1);

      const text = readFileSync(file, "utf8");
      const again: string[] = [];
      hookInstall({ agent: c.agent, scope, dryRun: false, home, project }, (l) => again.push(l));
      assert.equal(readFileSync(file, "utf8"), text, "a second install writes nothing new");
      assert.equal(again[0], `Unchanged: ${file} (the hook is already installed)`);
      assert.ok(again.slice(1).every((l) => l.includes(": already logs with")), again.join("\n"));
    }
  });
}

test("Gemini CLI: hooks switched off in settings.json are reported, not silently left off", (t) => {
  const { home, project } = dirs(t);
  const file = path.join(project, ".gemini", "settings.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ hooksConfig: { enabled: false } }));
  const lines: string[] = [];
  hookInstall({ agent: "gemini", scope: "project", dryRun: false, home, project }, (l) => lines.push(l));
  assert.ok(lines.some((l) => /^Note: hooks are switched off .*Gemini CLI runs none of them until it is true$/.test(l)), lines.join("\n"));
  assert.deepEqual((JSON.parse(readFileSync(file, "utf8")) as { hooksConfig: unknown }).hooksConfig, { enabled: false }, "the switch is the user's");
});
