import { z } from "zod";

/**
 * Row schemas of the registers a workspace keeps as YAML or CSV files. Strict: an unknown column
 * is a typo, and a typo in a register silently weakens a control. A schema and its type share a
 * name.
 */

/** A calendar date, `YYYY-MM-DD` (2026-02-30 is rejected, not rolled over). */
export const IsoDate = z.iso.date("expected a calendar date YYYY-MM-DD");

const Text = z.string().trim().min(1, "must not be empty");
/** YAML reads `version: 2.1` as a number; a version is a label, so numbers are kept as written. */
const Label = z.union([z.string().trim().min(1, "must not be empty"), z.number()]).transform(String);
const List = z.array(Text);

/** The action classes the classifiers assign (event.ts), used as permission-boundary categories. */
export const ActionCategory = z.enum([
  "read", "write", "execute", "network", "credential-access", "destructive", "irreversible", "privilege-change", "logging-tamper",
]);
export type ActionCategory = z.infer<typeof ActionCategory>;

/** AI tool inventory: every agentic tool in use, its owner and its permission boundary. */
export const AiTool = z.strictObject({
  /** The product name the logs and commits report (claude-code, kiro, cursor, github-copilot). */
  product: Text,
  name: Text.optional(),
  /** Other names the same tool appears under (an agent id from the config, a marketplace name). */
  aliases: List.default([]),
  vendor: Text.optional(),
  owner: Text,
  /** Where the tool may act, by the names the config's `environments` defines (production) and everything else (non-production). */
  environments: z.array(z.enum(["production", "non-production"])).min(1, "name at least one environment"),
  /**
   * The action boundary, in action classes. A class in none of the three lists is not permitted.
   * Left out, the tool has no declared boundary, which is itself a finding once the tool is in use.
   */
  permissionBoundary: z
    .strictObject({
      permitted: z.array(ActionCategory).default([]),
      prohibited: z.array(ActionCategory).default([]),
      /** Categories the tool may only run after a person confirms (the confirmation gate). */
      confirmFirst: z.array(ActionCategory).default([]),
    })
    .superRefine((b, ctx) => {
      // A class both allowed and prohibited makes every verdict on it arbitrary.
      for (const c of b.prohibited) {
        if (b.permitted.includes(c) || b.confirmFirst.includes(c)) ctx.addIssue({ code: "custom", path: ["prohibited"], message: `"${c}" is also permitted or confirm-first` });
      }
    })
    .optional(),
  /** MCP servers this tool is approved to use (the `<server>` of `mcp__<server>__<tool>`). */
  mcpServers: List.default([]),
  /** Controls that reduce the risk of the boundary (termination protection, scoped roles…). */
  compensatingControls: List.default([]),
  notes: z.string().optional(),
});
export type AiTool = z.infer<typeof AiTool>;

/** Vendor register: model and tool vendors with their assessment cycle. */
export const Vendor = z
  .strictObject({
    vendor: Text,
    tier: Label,
    /** What the vendor provides, as seen in use: agent products and `mcp:<server>` entries. */
    services: List.min(1, "name at least one product or mcp:<server> the vendor provides"),
    lastAssessed: IsoDate.optional(),
    nextDue: IsoDate,
    owner: Text.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.lastAssessed && v.nextDue < v.lastAssessed) ctx.addIssue({ code: "custom", path: ["nextDue"], message: `is before lastAssessed (${v.lastAssessed})` });
  });
export type Vendor = z.infer<typeof Vendor>;

export const DocumentType = z.enum(["ai-usage-policy", "policy", "procedure", "runbook", "standard"]);

/** Procedures and policies: the current version of each document and when it is next reviewed. */
export const PolicyDocument = z
  .strictObject({
    id: Text,
    title: Text,
    type: DocumentType,
    version: Label,
    owner: Text,
    reviewed: IsoDate,
    nextReview: IsoDate,
    location: Text.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.nextReview < d.reviewed) ctx.addIssue({ code: "custom", path: ["nextReview"], message: `is before reviewed (${d.reviewed})` });
  });
export type PolicyDocument = z.infer<typeof PolicyDocument>;

export const Acknowledgement = z.strictObject({
  document: Text,
  version: Label,
  /** The person's e-mail, as the agent logs record it (Claude Code `user_email`). */
  person: Text,
  acknowledged: IsoDate,
});
export type Acknowledgement = z.infer<typeof Acknowledgement>;

/**
 * Settings a baseline can require, as the agent-settings ingester records them per file
 * (src/store/agent-settings.ts): `deny`/`ask`/`allow` are judged on the permission rules of all the
 * product's files together; `defaultMode`, `sandbox`, `bypassDefault` and `destructiveAllowed`
 * (the ingester's destructive probe commands a file's rules let run without asking) file by file;
 * `bypassDisabled` holds when any file disables bypass mode.
 */
export const BaselineSetting = z.enum(["defaultMode", "sandbox", "bypassDisabled", "bypassDefault", "destructiveAllowed", "deny", "ask", "allow"]);
export type BaselineSetting = z.infer<typeof BaselineSetting>;
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One required setting. */
export const BaselineRequirement = z
  .strictObject({
    setting: BaselineSetting,
    equals: Scalar.optional(),
    notEquals: Scalar.optional(),
    /** The rule list must contain each of these (deny rules for destructive commands, for example). */
    includes: List.optional(),
    /** The rule list must contain none of these (allow rules that skip the confirmation gate). */
    excludes: List.optional(),
    rationale: z.string().optional(),
  })
  .refine((r) => [r.equals, r.notEquals, r.includes, r.excludes].some((x) => x !== undefined), {
    message: "give one of equals, notEquals, includes or excludes",
  })
  .refine((r) => (r.includes || r.excludes ? ["deny", "ask", "allow"].includes(r.setting) : true), {
    message: "includes and excludes apply to the deny, ask and allow rule lists",
    path: ["setting"],
  });
export type BaselineRequirement = z.infer<typeof BaselineRequirement>;

/** Configuration baseline for one agent product. */
export const ConfigBaseline = z.strictObject({
  id: Text,
  product: Text,
  description: z.string().optional(),
  requirements: z.array(BaselineRequirement).min(1, "list at least one required setting"),
});
export type ConfigBaseline = z.infer<typeof ConfigBaseline>;

export const ReviewEntry = z.strictObject({ date: IsoDate, by: Text, note: Text });

/**
 * A risk acceptance (its fields follow CISO Assistant's RiskAcceptance, OSCAL's risk with
 * mitigating-factor and risk-status, and Eramba's expiring exceptions).
 * Cross-field rules that need the config (the maximum length) are added by `riskAcceptanceSchema`.
 */
export const RiskAcceptanceBase = z.strictObject({
  id: Text,
  title: Text.optional(),
  /** Finding ids (findings.csv) this acceptance covers. */
  findings: List.default([]),
  /** Control ids whose findings it covers, narrowed by `resources` when given. */
  controls: List.default([]),
  /** Patterns (`*` wildcards) matched against a finding's subject and evidence refs, e.g. `commit:0967077*`. */
  resources: List.default([]),
  scope: Text,
  risk: Text,
  justification: Text,
  compensatingControls: List.default([]),
  owner: Text,
  approver: Text,
  approved: IsoDate,
  expires: IsoDate,
  status: z.enum(["approved", "revoked"]).default("approved"),
  reviewLog: z.array(ReviewEntry).default([]),
});
export type RiskAcceptance = z.infer<typeof RiskAcceptanceBase>;

export function riskAcceptanceSchema(maxAcceptanceDays: number) {
  return RiskAcceptanceBase.superRefine((a, ctx) => {
    if (a.findings.length === 0 && a.controls.length === 0) {
      ctx.addIssue({ code: "custom", path: ["findings"], message: "name the findings or the controls the acceptance covers" });
    }
    if (a.approver.toLowerCase() === a.owner.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["approver"], message: `must be someone other than the owner (both are "${a.owner}")` });
    }
    if (a.expires <= a.approved) {
      ctx.addIssue({ code: "custom", path: ["expires"], message: `must be after the approval date (${a.approved})` });
    } else {
      const days = (Date.parse(a.expires) - Date.parse(a.approved)) / 86_400_000;
      if (days > maxAcceptanceDays) {
        ctx.addIssue({ code: "custom", path: ["expires"], message: `is ${days} days after approval; at most ${maxAcceptanceDays} (thresholds.maxAcceptanceDays)` });
      }
    }
  });
}
