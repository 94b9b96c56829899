import type Database from "better-sqlite3";

/** One agent settings file as configuration evidence: its permission rules and the posture they add up to. */
export interface AgentSettingsRecord {
  product: "claude-code" | "cursor" | "codex";
  /** managed | local | shared (user or project settings.json) | user | project. */
  scope: string;
  /** Claude `defaultMode`, Codex `approval_policy`. */
  defaultMode: string | null;
  /** Codex `sandbox_mode`. */
  sandbox: string | null;
  /** Claude `disableBypassPermissionsMode: "disable"`; null when the product has no such switch. */
  bypassDisabled: boolean | null;
  /** The default mode runs tools without asking (bypassPermissions, dontAsk, approval_policy never). */
  bypassDefault: boolean;
  rules: AgentSettingRule[];
  /** Destructive commands tried against the rules, and what the rules do with each. */
  probes: { command: string; verdict: "deny" | "ask" | "allow" | "unmatched"; rule: string | null }[];
  remarks: string[];
  locator: string;
}

export interface AgentSettingRule {
  list: "allow" | "ask" | "deny";
  rule: string;
  tool: string;
  specifier: string | null;
  destructive: boolean;
}

export function insertAgentSettings(db: Database.Database, fileId: number, s: AgentSettingsRecord): void {
  const count = (list: AgentSettingRule["list"]) => s.rules.filter((r) => r.list === list).length;
  const info = db
    .prepare(
      `INSERT INTO agent_settings (file_id, product, scope, default_mode, sandbox, bypass_disabled, bypass_default, allow_count, ask_count, deny_count,
         destructive_probes, destructive_denied, destructive_allowed, posture, locator)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      fileId, s.product, s.scope, s.defaultMode, s.sandbox, s.bypassDisabled === null ? null : s.bypassDisabled ? 1 : 0, s.bypassDefault ? 1 : 0,
      count("allow"), count("ask"), count("deny"), s.probes.length, s.probes.filter((p) => p.verdict === "deny").length,
      s.probes.filter((p) => p.verdict === "allow").length, JSON.stringify({ probes: s.probes, remarks: s.remarks }), s.locator,
    );
  const rule = db.prepare("INSERT INTO agent_setting_rules (settings_id, list, rule, tool, specifier, destructive) VALUES (?, ?, ?, ?, ?, ?)");
  for (const r of s.rules) rule.run(info.lastInsertRowid, r.list, r.rule, r.tool, r.specifier, r.destructive ? 1 : 0);
}
