import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { InputError, UsageError } from "../errors.ts";

/**
 * `evidence hook install`: adds the logging hook to the agent's own hook configuration, keeping
 * every other setting and hook as it is. The plan is a pure function of the file's text; the
 * command writes it (atomically, through a temporary file) unless `--dry-run`.
 *
 * Formats (each agent's documentation):
 * - Claude Code: settings.json `hooks.<Event>[] = { matcher, hooks: [{ type: "command", command }] }`
 *   (code.claude.com/docs/en/hooks); user ~/.claude/settings.json, project .claude/settings.json.
 * - Cursor: hooks.json `{ version: 1, hooks: { <event>: [{ command }] } }` (cursor.com/docs/hooks);
 *   user ~/.cursor/hooks.json, project .cursor/hooks.json.
 * - Codex: config.toml `[[hooks.<Event>]]` with `[[hooks.<Event>.hooks]] type = "command"`
 *   (developers.openai.com/codex/hooks); user ~/.codex/config.toml, project .codex/config.toml.
 * - Gemini CLI: settings.json `hooks.<Event>[] = { matcher?, hooks: [{ type: "command", command, name }] }`
 *   (geminicli.com/docs/hooks/reference); user ~/.gemini/settings.json, project .gemini/settings.json.
 *   No matcher: the hook runs for every tool. Releases where hooks are experimental also need
 *   `hooksConfig.enabled` (geminicli.com/docs/hooks); install leaves that switch to the user and says so.
 * - Copilot CLI: `{ version: 1, hooks: { <event>: [{ type: "command", bash, powershell }] } }` in any
 *   `*.json` of .github/hooks/ (project) or ~/.copilot/hooks/ (user) (docs.github.com, "GitHub Copilot
 *   hooks reference"); we write our own file, evidence.json. The camelCase payloads name no event, so
 *   the command passes it (`--event`) and the hook records it.
 * - Kiro: a standalone hooks file `{ version: "v1", hooks: [{ name, trigger, action: { type: "command",
 *   command } }] }` (kiro.dev/docs/cli/v3/hooks), which applies to every agent of the workspace, at
 *   .kiro/hooks/evidence.json. [O] The user-wide ~/.kiro/hooks/ folder is not on that page; it is
 *   where third-party installers put global v3 hooks. Kiro CLI 2.x reads hooks from each agent's
 *   config instead (kiro.dev/docs/cli/hooks): those users add the hook to their agent by hand.
 *   [I] The hooks carry no matcher: the v3 page gives matchers as tool-name regexes and shows none
 *   for lifecycle triggers; we take an omitted matcher on PreToolUse/PostToolUse to match every
 *   tool, as it does in Claude Code and Gemini CLI.
 * - Windsurf: hooks.json `{ hooks: { <event>: [{ command, show_output }] } }` (docs.windsurf.com/windsurf/cascade/hooks);
 *   user ~/.codeium/windsurf/hooks.json, workspace .windsurf/hooks.json.
 */
export const INSTALLABLE = ["claude-code", "codex", "copilot-cli", "cursor", "gemini", "kiro", "windsurf"] as const;
export type InstallAgent = (typeof INSTALLABLE)[number];
export type Scope = "user" | "project";

/** The events each agent's parser reads: tool calls with their decisions, prompts and session starts. */
const EVENTS: Record<InstallAgent, readonly string[]> = {
  // The events the claude-code-hooks parser folds into actions (README, "Claude Code hook logs").
  "claude-code": ["PermissionDenied", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PreToolUse", "SessionStart", "UserPromptSubmit"],
  // The events cursor-hooks reads (src/ingest/agent/cursor-hooks.ts).
  cursor: [
    "afterFileEdit", "afterMCPExecution", "afterShellExecution", "beforeMCPExecution", "beforeShellExecution", "beforeSubmitPrompt",
    "postToolUse", "postToolUseFailure", "preToolUse", "sessionEnd", "sessionStart",
  ],
  codex: ["PermissionRequest", "PostToolUse", "PreToolUse", "SessionStart", "UserPromptSubmit"],
  // Notification carries Gemini CLI's ToolPermission prompts: the approval evidence.
  gemini: ["AfterTool", "BeforeAgent", "BeforeTool", "Notification", "SessionEnd", "SessionStart"],
  // The hooks-configuration template's events plus permissionRequest (the hooks reference).
  "copilot-cli": ["errorOccurred", "permissionRequest", "postToolUse", "preToolUse", "sessionEnd", "sessionStart", "userPromptSubmitted"],
  // v3 triggers; the v2 names were agentSpawn, userPromptSubmit, preToolUse, postToolUse, stop.
  kiro: ["PostToolUse", "PreToolUse", "SessionStart", "Stop", "UserPromptSubmit"],
  // post_cascade_response (the model's whole answer) is left out: it is no action and can be large.
  windsurf: [
    "post_mcp_tool_use", "post_read_code", "post_run_command", "post_write_code", "pre_mcp_tool_use", "pre_read_code", "pre_run_command",
    "pre_user_prompt", "pre_write_code",
  ],
};
/** Claude Code and Codex match tool events by tool name; "*" matches every tool. */
const TOOL_EVENTS = new Set(["PermissionDenied", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PreToolUse"]);

const FILES: Record<InstallAgent, { user: string[]; project: string[] }> = {
  "claude-code": { user: [".claude", "settings.json"], project: [".claude", "settings.json"] },
  codex: { user: [".codex", "config.toml"], project: [".codex", "config.toml"] },
  "copilot-cli": { user: [".copilot", "hooks", "evidence.json"], project: [".github", "hooks", "evidence.json"] },
  cursor: { user: [".cursor", "hooks.json"], project: [".cursor", "hooks.json"] },
  gemini: { user: [".gemini", "settings.json"], project: [".gemini", "settings.json"] },
  kiro: { user: [".kiro", "hooks", "evidence.json"], project: [".kiro", "hooks", "evidence.json"] },
  windsurf: { user: [".codeium", "windsurf", "hooks.json"], project: [".windsurf", "hooks.json"] },
};

export function configFile(agent: InstallAgent, scope: Scope, home: string, project: string): string {
  return path.join(scope === "user" ? home : project, ...FILES[agent][scope]);
}

export interface InstallPlan {
  file: string;
  /** The new text; equal to the old one when nothing changes. */
  text: string;
  /** One line per event: added, or already present. */
  changes: string[];
  /** What the user still has to do or know (a switch install does not turn on). */
  notes: string[];
}

type Json = Record<string, unknown>;

function parseJsonObject(text: string, file: string): Json {
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON (${(e as Error).message}); fix it before installing the hook, nothing was changed`, file);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new InputError(`${file} must hold a JSON object; nothing was changed`, file);
  return v as Json;
}

function objectAt(parent: Json, key: string, file: string): Json {
  const v = parent[key] ?? {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InputError(`${file}: "${key}" is not an object; nothing was changed`, file);
  parent[key] = v;
  return v as Json;
}

function arrayAt(parent: Json, key: string, file: string): unknown[] {
  const v = parent[key] ?? [];
  if (!Array.isArray(v)) throw new InputError(`${file}: hooks "${key}" is not a list; nothing was changed`, file);
  parent[key] = v;
  return v;
}

const mentions = (v: unknown, command: string) => JSON.stringify(v ?? null).includes(JSON.stringify(command).slice(1, -1));

/** The hook entry one event's list gets, in the agent's own shape. */
function entry(agent: Exclude<InstallAgent, "codex" | "kiro">, event: string, command: string): Json {
  switch (agent) {
    case "claude-code":
      return { ...(TOOL_EVENTS.has(event) ? { matcher: "*" } : {}), hooks: [{ type: "command", command }] };
    case "gemini":
      return { hooks: [{ type: "command", command, name: "evidence-hook" }] };
    case "copilot-cli":
      // The same command line runs in PowerShell: `evidence` is a Node program on PATH either way.
      return { type: "command", bash: command, powershell: command };
    case "windsurf":
      return { command, show_output: false };
    case "cursor":
      return { command };
  }
}

function planToml(file: string, text: string, commandFor: (event: string) => string): InstallPlan {
  const changes: string[] = [];
  let doc: Json;
  try {
    doc = parseToml(text) as Json;
  } catch (e) {
    throw new InputError(`${file} is not valid TOML (${(e as Error).message}); nothing was changed`, file);
  }
  const hooks = (doc.hooks ?? {}) as Json;
  let add = "";
  for (const event of EVENTS.codex) {
    const command = commandFor(event);
    if (mentions(hooks[event], command)) {
      changes.push(`${event}: already logs with "${command}"`);
      continue;
    }
    // Appended as array-of-tables entries: TOML allows them after any other table, so nothing above is rewritten.
    add += `\n[[hooks.${event}]]\n${TOOL_EVENTS.has(event) ? 'matcher = "*"\n' : ""}[[hooks.${event}.hooks]]\ntype = "command"\ncommand = ${JSON.stringify(command)}\n`;
    changes.push(`${event}: added "${command}"`);
  }
  const next = add ? `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${add}` : text;
  try {
    parseToml(next);
  } catch (e) {
    // An inline `hooks = { … }` table cannot be extended by appended tables.
    throw new InputError(`${file}: its "hooks" cannot be extended (${(e as Error).message}); add the hook by hand, nothing was changed`, file);
  }
  return { file, text: next, changes, notes: [] };
}

/** Kiro v3: `hooks` is one list of named hooks, each with its trigger. */
function planKiro(doc: Json, file: string, commandFor: (event: string) => string, changes: string[]): void {
  if (doc.version === undefined) doc.version = "v1";
  const list = arrayAt(doc, "hooks", file);
  for (const trigger of EVENTS.kiro) {
    const command = commandFor(trigger);
    if (list.some((h) => typeof h === "object" && h !== null && (h as Json).trigger === trigger && mentions(h, command))) {
      changes.push(`${trigger}: already logs with "${command}"`);
      continue;
    }
    list.push({ name: `evidence-hook-${trigger}`, trigger, action: { type: "command", command } });
    changes.push(`${trigger}: added "${command}"`);
  }
}

export function planInstall(agent: InstallAgent, file: string, text: string, command: string | ((event: string) => string)): InstallPlan {
  const commandFor = typeof command === "string" ? () => command : command;
  if (agent === "codex") return planToml(file, text, commandFor);
  const changes: string[] = [];
  const notes: string[] = [];
  const doc = parseJsonObject(text, file);
  if (agent === "kiro") planKiro(doc, file, commandFor, changes);
  else {
    if ((agent === "cursor" || agent === "copilot-cli") && doc.version === undefined) doc.version = 1;
    const hooks = objectAt(doc, "hooks", file);
    for (const event of EVENTS[agent]) {
      const c = commandFor(event);
      const list = arrayAt(hooks, event, file);
      if (mentions(list, c)) {
        changes.push(`${event}: already logs with "${c}"`);
        continue;
      }
      list.push(entry(agent, event, c));
      changes.push(`${event}: added "${c}"`);
    }
  }
  if (agent === "gemini") {
    const cfg = doc.hooksConfig;
    const off = (typeof cfg === "object" && cfg !== null && (cfg as Json).enabled === false) || (doc.hooks as Json).enabled === false;
    if (off) notes.push(`hooks are switched off in ${file} (hooksConfig.enabled or hooks.enabled is false): Gemini CLI runs none of them until it is true`);
  }
  return { file, text: changes.some((c) => c.includes(": added")) ? `${JSON.stringify(doc, null, 2)}\n` : text, changes, notes };
}

export interface HookInstallArgs {
  agent: string;
  scope: Scope;
  dryRun: boolean;
  dir?: string;
  failClosed?: boolean;
  /** Home and project folders (tests); default the user's home and the current folder. */
  home?: string;
  project?: string;
}

/**
 * The command line the agent runs: `evidence` on PATH, with the options given to install. `event`
 * is passed for agents whose payloads do not name their event (Copilot CLI's camelCase payloads).
 */
export function hookCommand(agent: string, dir?: string, failClosed?: boolean, event?: string): string {
  const quote = (s: string) => (/^[\w./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["evidence", "hook", "--agent", agent, ...(event ? ["--event", event] : []), ...(dir ? ["--dir", quote(dir)] : []), ...(failClosed ? ["--fail-closed"] : [])].join(" ");
}

export function hookInstall(args: HookInstallArgs, out: (line: string) => void): number {
  if (!(INSTALLABLE as readonly string[]).includes(args.agent)) {
    throw new UsageError(`hook install writes the configuration of ${INSTALLABLE.join(", ")}; for ${args.agent}, add "${hookCommand(args.agent)}" to its hook configuration by hand (README, "evidence hook")`);
  }
  const agent = args.agent as InstallAgent;
  const file = configFile(agent, args.scope, args.home ?? homedir(), args.project ?? process.cwd());
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  const commandFor = (event: string) => hookCommand(agent, args.dir, args.failClosed, agent === "copilot-cli" ? event : undefined);
  const plan = planInstall(agent, file, before, commandFor);
  const changed = plan.text !== before;
  out(`${!changed ? "Unchanged" : args.dryRun ? "Would change" : "Changed"}: ${file}${changed ? "" : " (the hook is already installed)"}`);
  for (const c of plan.changes) out(`  ${c}`);
  for (const n of plan.notes) out(`Note: ${n}`);
  if (args.dryRun && changed) out(`\n${plan.text}`);
  if (!args.dryRun && changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.evidence-tmp`;
    writeFileSync(tmp, plan.text);
    renameSync(tmp, file);
  }
  return 0;
}
