import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InputError } from "./errors.ts";
import { isValidTimeZone } from "./period.ts";
import { redosRisk } from "./redact/redos.ts";
import { Frequency } from "./frequency.ts";
import changeDefaults from "./change-defaults.json" with { type: "json" };
import { DEFAULT_KEEP, KEEP_RULE_IDS } from "./keep-rules.ts";

/**
 * The workspace configuration: one strict zod schema. Unknown keys are rejected everywhere,
 * because a misspelt key that is silently ignored is a control that silently stops operating.
 */
const Glob = z.string().min(1);

export const SourceKind = z.enum([
  "claude-code-hooks", "cloudtrail", "git", "github-pull-requests", "gitlab-merge-requests",
  // Agent logs whose format is sniffed per file (src/ingest/agent/detect.ts), and the formats it can pick.
  "agent-logs", "agent-settings", "claude-code-otel", "claude-code-transcript",
  "codex-rollout", "codex-otel", "codex-hooks", "cursor-hooks", "copilot-cli-hooks", "github-audit-log", "gemini-cli-telemetry", "gemini-hooks", "kiro-hooks",
  "windsurf-hooks", "otlp-genai", "generic-agent-log",
  // IAM: `aws iam get-account-authorization-details` output and plain policy documents (src/ingest/iam/parser.ts).
  "iam",
]);
export type SourceKind = z.infer<typeof SourceKind>;

function isRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

export const SourceConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'"),
  kind: SourceKind,
  /** Files or globs, relative to the config file. Not used by git sources. */
  paths: z.array(Glob).default([]),
  /** git: a repository folder or a `git bundle` file, relative to the config file. */
  repository: z.string().optional(),
  /** git: the branch whose first-parent history is production. */
  productionBranch: z.string().default("main"),
  /** git: verify signatures with `%G?` (one gpg/ssh check per commit: slow, and the result depends on the local keyring). */
  verifySignatures: z.boolean().default(false),
  /** git: line counts (`--numstat`); off, or a blobless partial clone, reads file names only (`--name-status`). */
  lineCounts: z.boolean().default(true),
  /** Pull-request exports: the git source (by name) whose commits they merged; defaults to the only git source. */
  gitSource: z.string().optional(),
  /**
   * Files (or the repository) may lie outside the workspace folder, or be reached through a symlink
   * that leaves it. Off by default: a glob like `../**` or a planted symlink must not make evidence
   * read (and store) files nobody meant to hand it.
   */
  allowOutsidePaths: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

export const AgentIdentity = z.strictObject({
  id: z.string().min(1),
  product: z.string().min(1),
  owner: z.string().optional(),
  /** How to recognise this agent in each source. */
  match: z
    .strictObject({
      /** CloudTrail: role names or ARNs (`*` wildcards) the agent uses. */
      awsRoles: z.array(z.string()).default([]),
      /** CloudTrail: role session name patterns, e.g. `claude-code-*`. */
      awsSessionNames: z.array(z.string()).default([]),
      /** CloudTrail: markers in userAgent, e.g. `app/claude-code`. */
      userAgentMarkers: z.array(z.string()).default([]),
      /** CloudTrail: `sourceIdentity` patterns the agent's sessions carry (set on AssumeRole, kept across role chaining). */
      awsSourceIdentities: z.array(z.string()).default([]),
      /** CloudTrail: AssumeRole session tags as `key=value` (value may use `*`); carried to the session's calls by access key. */
      awsSessionTags: z.array(z.string().regex(/^[^=]+=.*$/, "key=value")).default([]),
      /** CloudTrail: markers of the AWS MCP server in invokedBy or the user agent (`awslabs/mcp`, `aws-mcp.amazonaws.com`): such calls are this agent's. */
      awsMcpMarkers: z.array(z.string()).default([]),
      /** Git: author or co-author e-mail addresses, e.g. `noreply@anthropic.com`. */
      gitEmails: z.array(z.string()).default([]),
      /** Agent logs: the product names the parser reports, e.g. `claude-code`. */
      logProducts: z.array(z.string()).default([]),
    })
    .default({ awsRoles: [], awsSessionNames: [], userAgentMarkers: [], awsSourceIdentities: [], awsSessionTags: [], awsMcpMarkers: [], gitEmails: [], logProducts: [] }),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

export const Environments = z.strictObject({
  production: z
    .strictObject({
      awsAccounts: z.array(z.string().regex(/^\d{12}$/, "a 12-digit AWS account id")).default([]),
      branches: z.array(z.string()).default(["main"]),
      /** Working-directory or repository path globs that are production. */
      paths: z.array(z.string()).default([]),
      /** Name patterns (stacks, clusters, buckets) that are production, e.g. `prod-*`. */
      resourcePatterns: z.array(z.string()).default([]),
    })
    .default({ awsAccounts: [], branches: ["main"], paths: [], resourcePatterns: [] }),
});

/** How changes to production are judged (CC8.1 / A.8.9). */
export const ChangeManagement = z.strictObject({
  /** Path globs whose change needs the strongest review: infrastructure, CI, auth, IAM, migrations, agent configuration. */
  sensitivePaths: z.array(Glob).default(changeDefaults.sensitivePaths),
  /** Pull-request labels that mark an emergency change (reported as needing retrospective review). */
  emergencyLabels: z.array(z.string()).default(changeDefaults.emergencyLabels),
  /** Commit trailers that mark an emergency change: a key (`Emergency`) or `Key: value`. */
  emergencyTrailers: z.array(z.string()).default(changeDefaults.emergencyTrailers),
  /** Reviewer logins that are AI review tools (added to the built-in list); their approval is not a human review. */
  aiReviewers: z.array(z.string()).default([]),
  /** One person's several identities (e-mails, platform logins), so that self-review across them is caught. */
  identities: z.array(z.strictObject({ name: z.string().optional(), emails: z.array(z.string()).default([]), logins: z.array(z.string()).default([]) })).default([]),
});
export type ChangeManagement = z.infer<typeof ChangeManagement>;

export const Config = z.strictObject({
  organisation: z.strictObject({
    name: z.string().min(1),
    legalName: z.string().optional(),
  }),
  report: z
    .strictObject({
      title: z.string().default("AI Agent Governance Evidence"),
      frameworks: z.array(z.enum(["soc2", "iso27001", "owasp-agentic"])).min(1).default(["soc2", "iso27001"]),
      timezone: z
        .string()
        .default("UTC")
        .refine(isValidTimeZone, "an IANA time zone such as UTC or Europe/Berlin"),
      preparedBy: z.string().optional(),
      /** Seed for the reproducible audit samples; printed in the report. */
      sampleSeed: z.string().default("evidence"),
      /** Audit sample sizes per control frequency, overriding src/report/sample-sizes.json: size = clamp(ceil(population x share), min, max). */
      sampleSizes: z
        .partialRecord(Frequency, z.strictObject({ min: z.number().int().min(0), max: z.number().int().min(1), share: z.number().min(0).max(1) }))
        .optional(),
    })
    .default({ title: "AI Agent Governance Evidence", frameworks: ["soc2", "iso27001"], timezone: "UTC", sampleSeed: "evidence" }),
  sources: z.array(SourceConfig).default([]),
  agents: z.array(AgentIdentity).default([]),
  environments: Environments.default({ production: { awsAccounts: [], branches: ["main"], paths: [], resourcePatterns: [] } }),
  changeManagement: ChangeManagement.default(ChangeManagement.parse({})),
  /** Secret patterns added to the built-in ones (src/redact/patterns.json), e.g. an internal token format. */
  redaction: z
    .strictObject({
      patterns: z
        .array(
          z.strictObject({
            id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '.', '_' or '-'"),
            description: z.string().default(""),
            /** A JavaScript regular expression; `group` picks the capture group that is the secret (0: the whole match). */
            regex: z.string().min(1).refine(isRegex, "not a valid JavaScript regular expression"),
            flags: z.string().regex(/^[imsuv]*$/, "flags i, m, s, u or v").optional(),
            group: z.number().int().min(0).optional(),
            /** Lower-case words one of which must occur before the regex runs (faster); none: it runs on every string. */
            keywords: z.array(z.string().min(1)).optional(),
          })
          // A pattern that can backtrack catastrophically would hang the ingest with the store locked.
          .superRefine((p, ctx) => {
            const risk = isRegex(p.regex) ? redosRisk(p.regex, p.flags) : null;
            if (risk) ctx.addIssue({ code: "custom", path: ["regex"], message: `redaction pattern "${p.id}": regex can take exponential or polynomial time: ${risk}` });
          }),
        )
        .default([]),
    })
    .default({ patterns: [] }),
  registers: z
    .strictObject({
      riskAcceptances: z.string().optional(),
      aiTools: z.string().optional(),
      vendors: z.string().optional(),
      policies: z.string().optional(),
      /** Policy acknowledgements in their own file (a CSV policies register holds documents only). */
      acknowledgements: z.string().optional(),
      configBaselines: z.string().optional(),
    })
    .default({}),
  /** The workspace's own catalog additions (README, "Your own controls, rules and scope"); folders resolve from the config's folder. */
  catalog: z
    .strictObject({
      /** Extra frameworks, controls, rule mappings and crosswalk pairs (JSON); default `controls/` when present. */
      controls: z.string().optional(),
      /** SQL rules (YAML or JSON) the workspace declares; default `rules/` when present. */
      rules: z.string().optional(),
      /** Only these control ids are in scope (default: every control of report.frameworks). */
      scope: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({}),
  /**
   * What the store keeps of high-volume sources (README, "Scale"): CloudTrail calls no check
   * reads one by one become counts per principal x action x day with their file and record numbers.
   */
  storage: z
    .strictObject({
      cloudtrail: z
        .strictObject({
          /** `summarise` (default) keeps full rows only for the calls `keep` names; `full` keeps every call as a row. */
          mode: z.enum(["summarise", "full"]).default("summarise"),
          /** Calls kept as full rows (src/keep-rules.json). */
          keep: z.array(z.enum(KEEP_RULE_IDS)).default(DEFAULT_KEEP),
        })
        .default({ mode: "summarise", keep: DEFAULT_KEEP }),
    })
    .default({ cloudtrail: { mode: "summarise", keep: DEFAULT_KEEP } }),
  /** `evidence check` defaults (src/check/); flags override each. */
  thresholds: z
    .strictObject({
      /**
       * No floor by default: manual controls count in coverage's denominator, so the reachable
       * maximum is the catalog's share of automated controls (a quarter of SOC 2 + ISO 27001 today);
       * a fixed default would either gate nothing or fail every build. The drop against the
       * baseline gates without one.
       */
      minCoverage: z.number().min(0).max(1).default(0),
      /** Per-framework minimum coverage, e.g. `{ soc2: 0.9 }`, on top of the overall one. */
      minCoverageByFramework: z.record(z.string().min(1), z.number().min(0).max(1)).default({}),
      /** How far coverage may fall below the baseline's (a share: 0.05 = 5 points) before check fails. */
      coverageTolerance: z.number().min(0).max(1).default(0),
      /** Severities (a new open finding at or above the lowest fails) and control statuses (any control in one fails). */
      failOn: z.array(z.enum(["low", "medium", "high", "critical", "deficient", "not-tested", "exceptions", "manual"])).default(["high"]),
      maxNewFindings: z.number().int().min(0).optional(),
      maxAcceptanceDays: z.number().int().positive().default(365),
      /** An acceptance covering findings that expires within this many days after the period's last day is flagged. */
      acceptanceWarningDays: z.number().int().min(0).default(30),
      /** Whether such an acceptance only warns or fails the check (an expired one always fails). */
      acceptanceExpiring: z.enum(["warn", "fail"]).default("warn"),
    })
    .default({ minCoverage: 0, minCoverageByFramework: {}, coverageTolerance: 0, failOn: ["high"], maxAcceptanceDays: 365, acceptanceWarningDays: 30, acceptanceExpiring: "warn" }),
});
export type Config = z.infer<typeof Config>;

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: every relative path in the config resolves from here. */
  root: string;
  /** SHA-256 of the config file's bytes, recorded in the manifest. */
  sha256: string;
}

/** Formats the first zod issue as `file: key.path: message (expected …)` for a one-line error. */
export function describeIssue(file: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join(".") : "(top level)";
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  return `${file}: ${where}: ${message}${more}`;
}

export function parseConfigText(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new InputError(`${file}: not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`, file);
  }
  const result = Config.safeParse(raw ?? {});
  if (!result.success) throw new InputError(describeIssue(file, result.error), file);
  return result.data;
}

export function loadConfig(configPath: string): LoadedConfig {
  const file = path.resolve(configPath);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new InputError(`${configPath}: config file not found (run "evidence init" to create one, or pass --config)`, file);
  }
  const config = parseConfigText(bytes.toString("utf8"), configPath);
  const names = new Set<string>();
  for (const [i, source] of config.sources.entries()) {
    if (names.has(source.name)) throw new InputError(`${configPath}: sources.${i}.name: duplicate source name "${source.name}"`, file);
    names.add(source.name);
    if (source.kind === "git" && !source.repository) {
      throw new InputError(`${configPath}: sources.${i}.repository: a git source needs a repository folder or bundle`, file);
    }
    if (source.kind !== "git" && source.paths.length === 0) {
      throw new InputError(`${configPath}: sources.${i}.paths: expected at least one file or glob`, file);
    }
    if (source.gitSource !== undefined && !config.sources.some((s) => s.kind === "git" && s.name === source.gitSource)) {
      throw new InputError(`${configPath}: sources.${i}.gitSource: no git source named "${source.gitSource}"`, file);
    }
  }
  return { config, file, root: path.dirname(file), sha256: createHash("sha256").update(bytes).digest("hex") };
}
