import { parse as parseToml } from "smol-toml";
import type { AgentSettingRule, AgentSettingsRecord } from "../../store/agent-settings.ts";
import type { EnrichContext } from "../enrich.ts";
import { cutOffReason, isRecord, reject, str, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import spec from "./agent-settings.json" with { type: "json" };
import { parseJson } from "../json.ts";

/**
 * Agent settings files as configuration evidence (Claude Code docs, permissions and settings
 * reference pages; Cursor docs, CLI reference: permissions; openai/codex `protocol.rs` TurnContextItem):
 * Claude Code `settings.json` / `settings.local.json` / `managed-settings.json` permissions, Cursor
 * CLI `cli-config.json` / `.cursor/cli.json` permissions, Codex `config.toml` approval policy and
 * sandbox. Each file becomes one record: its rules as written, and a posture computed by trying a
 * fixed list of destructive commands against the rules, so a baseline can be compared (A.8.9).
 */
type Verdict = AgentSettingsRecord["probes"][number]["verdict"];
interface ParsedRule extends AgentSettingRule {
  matches(command: string): boolean;
}

export function createAgentSettingsParser(_ctx: EnrichContext): Parser {
  return { name: "agent-settings", version: "1", parse: parseSettings };
}

const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);

async function* parseSettings(input: ParserInput): AsyncIterable<ParsedItem> {
  const { text, truncatedAt } = await input.readAll();
  const name = baseName(input.relPath);
  let doc: unknown;
  try {
    doc = name.endsWith(".toml") ? parseToml(text) : parseJson(text);
  } catch (error) {
    yield reject("file", `not valid ${name.endsWith(".toml") ? "TOML" : "JSON"}: ${(error as Error).message.split("\n")[0]}`, text, cutOffReason(error, truncatedAt, text));
    return;
  }
  if (!isRecord(doc)) {
    yield reject("file", "expected an object of settings", text);
    return;
  }
  const record = name.endsWith(".toml") ? codexSettings(doc) : /^cli(-config)?\.json$/.test(name) ? cursorSettings(doc, name) : claudeSettings(doc, name);
  yield { kind: "agent-settings", settings: record };
}

/** Turns a glob with `*` anywhere into an anchored regular expression. */
function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
}

/**
 * `Tool` or `Tool(specifier)`. A shell rule matches a command when the specifier is absent or `*`,
 * a legacy `prefix:*` is its prefix, or the specifier (with `*` wildcards) matches the whole command.
 * Cursor's `Shell(git)` names a command: it matches any invocation of it.
 */
export function parseRule(list: AgentSettingRule["list"], rule: string, shellTools: readonly string[], bareCommand: boolean): ParsedRule {
  const m = /^([^(]+?)\s*(?:\((.*)\))?$/s.exec(rule.trim());
  const tool = m?.[1] ?? rule;
  const specifier = m?.[2] ?? null;
  const isShell = shellTools.includes(tool);
  let matches: (command: string) => boolean = () => false;
  if (isShell) {
    if (specifier === null || specifier.trim() === "*" || specifier.trim() === "") matches = () => true;
    else if (specifier.endsWith(":*")) {
      const prefix = specifier.slice(0, -2);
      matches = (c) => c.startsWith(prefix);
    } else if (bareCommand && !/[\s*]/.test(specifier)) matches = (c) => c.split(/\s+/)[0] === specifier;
    else {
      const re = globRegex(specifier);
      // `Bash(npm run test *)` also matches `npm run test` itself.
      const bare = specifier.endsWith(" *") ? specifier.slice(0, -2) : null;
      matches = (c) => re.test(c) || c === bare;
    }
  }
  const parsed: ParsedRule = { list, rule, tool, specifier, destructive: false, matches };
  parsed.destructive = spec.probes.some((p) => matches(p));
  return parsed;
}

/** Evaluates each destructive probe command against the rules: deny, then ask, then allow (first match wins). */
function probe(rules: ParsedRule[], unmatched: { verdict: Verdict; rule: string | null }): AgentSettingsRecord["probes"] {
  return spec.probes.map((command) => {
    for (const list of ["deny", "ask", "allow"] as const) {
      const hit = rules.find((r) => r.list === list && r.matches(command));
      if (hit) return { command, verdict: list, rule: hit.rule };
    }
    return { command, ...unmatched };
  });
}

function ruleList(perms: Record<string, unknown>, list: AgentSettingRule["list"], shellTools: readonly string[], bareCommand: boolean): ParsedRule[] {
  const raw = perms[list];
  return Array.isArray(raw) ? raw.filter((r): r is string => typeof r === "string").map((r) => parseRule(list, r, shellTools, bareCommand)) : [];
}

const strip = (rules: ParsedRule[]): AgentSettingRule[] => rules.map(({ matches: _m, ...r }) => r);

function claudeSettings(doc: Record<string, unknown>, name: string): AgentSettingsRecord {
  const perms = isRecord(doc.permissions) ? doc.permissions : {};
  const rules = (["allow", "ask", "deny"] as const).flatMap((l) => ruleList(perms, l, ["Bash"], false));
  const defaultMode = str(perms.defaultMode) ?? str(doc.defaultMode);
  const bypassDisabled = (perms.disableBypassPermissionsMode ?? doc.disableBypassPermissionsMode) === "disable";
  const bypassDefault = defaultMode !== null && spec.claudeBypassModes.includes(defaultMode);
  const remarks: string[] = [];
  if (bypassDefault) remarks.push(`defaultMode ${defaultMode}: tools run without asking unless a deny or ask rule matches`);
  if (!bypassDisabled) remarks.push("disableBypassPermissionsMode is not \"disable\": a user can switch to bypassPermissions");
  if (!rules.some((r) => r.list === "deny")) remarks.push("no deny rules");
  const scope = name === "managed-settings.json" ? "managed" : name === "settings.local.json" ? "local" : "shared";
  return {
    product: "claude-code", scope, defaultMode, sandbox: null, bypassDisabled, bypassDefault, rules: strip(rules),
    probes: probe(rules, bypassDefault ? { verdict: "allow", rule: `defaultMode ${defaultMode}` } : { verdict: "unmatched", rule: null }),
    remarks, locator: "file",
  };
}

function cursorSettings(doc: Record<string, unknown>, name: string): AgentSettingsRecord {
  const perms = isRecord(doc.permissions) ? doc.permissions : {};
  // Cursor CLI has allow and deny lists only; deny wins.
  const rules = (["allow", "deny"] as const).flatMap((l) => ruleList(perms, l, ["Shell"], true));
  const remarks = ["bypass cannot be disabled in the CLI config: --force (or Run Everything) approves every command"];
  if (!rules.some((r) => r.list === "deny")) remarks.push("no deny rules");
  return {
    product: "cursor", scope: name === "cli.json" ? "project" : "user", defaultMode: null, sandbox: null, bypassDisabled: null, bypassDefault: false,
    rules: strip(rules), probes: probe(rules, { verdict: "unmatched", rule: null }), remarks, locator: "file",
  };
}

function codexSettings(doc: Record<string, unknown>): AgentSettingsRecord {
  // A selected profile overrides the top-level keys.
  const profileName = str(doc.profile);
  const profiles = isRecord(doc.profiles) ? doc.profiles : {};
  const profile = profileName && isRecord(profiles[profileName]) ? (profiles[profileName] as Record<string, unknown>) : {};
  const policy = str(profile.approval_policy) ?? str(doc.approval_policy);
  const sandbox = str(profile.sandbox_mode) ?? str(doc.sandbox_mode);
  const bypassDefault = policy !== null && spec.codexBypassPolicies.includes(policy);
  const remarks: string[] = [];
  if (profileName) remarks.push(`profile ${profileName} selected`);
  if (policy === null) remarks.push("approval_policy not set: Codex's default applies");
  if (bypassDefault) remarks.push("approval_policy never: commands run without asking");
  if (sandbox === "danger-full-access") remarks.push("sandbox_mode danger-full-access: no sandbox");
  for (const [n, p] of Object.entries(profiles)) {
    if (isRecord(p) && p.approval_policy === "never" && n !== profileName) remarks.push(`profile ${n} sets approval_policy never`);
  }
  const verdict: Verdict = bypassDefault ? "allow" : policy === "untrusted" ? "ask" : "unmatched";
  return {
    product: "codex", scope: "user", defaultMode: policy, sandbox, bypassDisabled: null, bypassDefault, rules: [],
    probes: spec.probes.map((command) => ({ command, verdict, rule: policy ? `approval_policy ${policy}` : null })), remarks, locator: "file",
  };
}
