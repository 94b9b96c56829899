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
 */
export const INSTALLABLE = ["claude-code", "codex", "cursor"] as const;
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
};
/** Claude Code and Codex match tool events by tool name; "*" matches every tool. */
const TOOL_EVENTS = new Set(["PermissionDenied", "PermissionRequest", "PostToolUse", "PostToolUseFailure", "PreToolUse"]);

export function configFile(agent: InstallAgent, scope: Scope, home: string, project: string): string {
  const base = scope === "user" ? home : project;
  if (agent === "claude-code") return path.join(base, ".claude", "settings.json");
  if (agent === "cursor") return path.join(base, ".cursor", "hooks.json");
  return path.join(base, ".codex", "config.toml");
}

export interface InstallPlan {
  file: string;
  /** The new text; equal to the old one when nothing changes. */
  text: string;
  /** One line per event: added, or already present. */
  changes: string[];
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

export function planInstall(agent: InstallAgent, file: string, text: string, command: string): InstallPlan {
  const changes: string[] = [];
  if (agent === "codex") {
    let doc: Json;
    try {
      doc = parseToml(text) as Json;
    } catch (e) {
      throw new InputError(`${file} is not valid TOML (${(e as Error).message}); nothing was changed`, file);
    }
    const hooks = (doc.hooks ?? {}) as Json;
    let add = "";
    for (const event of EVENTS.codex) {
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
    return { file, text: next, changes };
  }
  const doc = parseJsonObject(text, file);
  if (agent === "cursor" && doc.version === undefined) doc.version = 1;
  const hooks = objectAt(doc, "hooks", file);
  for (const event of EVENTS[agent]) {
    const list = arrayAt(hooks, event, file);
    if (mentions(list, command)) {
      changes.push(`${event}: already logs with "${command}"`);
      continue;
    }
    if (agent === "cursor") list.push({ command });
    else list.push({ ...(TOOL_EVENTS.has(event) ? { matcher: "*" } : {}), hooks: [{ type: "command", command }] });
    changes.push(`${event}: added "${command}"`);
  }
  return { file, text: changes.some((c) => c.includes(": added")) ? `${JSON.stringify(doc, null, 2)}\n` : text, changes };
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

/** The command line the agent runs: `evidence` on PATH, with the options given to install. */
export function hookCommand(agent: string, dir?: string, failClosed?: boolean): string {
  const quote = (s: string) => (/^[\w./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["evidence", "hook", "--agent", agent, ...(dir ? ["--dir", quote(dir)] : []), ...(failClosed ? ["--fail-closed"] : [])].join(" ");
}

export function hookInstall(args: HookInstallArgs, out: (line: string) => void): number {
  if (!(INSTALLABLE as readonly string[]).includes(args.agent)) {
    throw new UsageError(`hook install writes the configuration of ${INSTALLABLE.join(", ")}; for ${args.agent}, add "${hookCommand(args.agent)}" to its hook configuration by hand (README, "evidence hook")`);
  }
  const agent = args.agent as InstallAgent;
  const file = configFile(agent, args.scope, args.home ?? homedir(), args.project ?? process.cwd());
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  const plan = planInstall(agent, file, before, hookCommand(agent, args.dir, args.failClosed));
  const changed = plan.text !== before;
  out(`${args.dryRun ? "Would change" : changed ? "Changed" : "Unchanged"}: ${file}${changed ? "" : " (the hook is already installed)"}`);
  for (const c of plan.changes) out(`  ${c}`);
  if (args.dryRun && changed) out(`\n${plan.text}`);
  if (!args.dryRun && changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.evidence-tmp`;
    writeFileSync(tmp, plan.text);
    renameSync(tmp, file);
  }
  return 0;
}
