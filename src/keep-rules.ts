import keepRules from "./keep-rules.json" with { type: "json" };

/**
 * The names of the storage keep rules (storage.cloudtrail.keep) and their defaults, as data the
 * config schema, the ingest's summariser and the pushdown SQL all read, so none of them can name
 * a rule the others do not know.
 */
export type KeepRule = keyof typeof keepRules.rules;
export const KEEP_RULES = keepRules.rules as Record<KeepRule, string>;
export const KEEP_RULE_IDS = Object.keys(keepRules.rules) as [KeepRule, ...KeepRule[]];
export const DEFAULT_KEEP = keepRules.default as KeepRule[];
