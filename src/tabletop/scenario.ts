import { z } from "zod";
import raw from "./scenarios.json" with { type: "json" };

/**
 * A tabletop scenario is data: the action it replays, the words that name it in rule results
 * (commands, API calls), the IAM actions that grant it, and the questions an exercise asks, each
 * with the rules whose results decide it. The evaluator (answer.ts) reads those results; it never
 * decides anything a rule decides.
 */
const Evidence = z.strictObject({
  rule: z.string().min(1),
  /**
   * Which of the rule's results concern this scenario: `any` (every result: the safeguard holds for
   * all or it does not), `action` (results whose subject or message names one of the scenario's
   * terms), `granted` (results about an agent principal the IAM facts show granted the action).
   */
  scope: z.enum(["any", "action", "granted"]),
  why: z.string().min(1),
});

const Step = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  question: z.string().min(1),
  /** prevent: stopped / not stopped; detect: detected / not stopped; notice: detected when a rule fires or would fire. */
  kind: z.enum(["prevent", "detect", "notice"]),
  /** Also read the IAM grants of the agent principals for the scenario's iamActions. */
  iam: z.boolean().optional(),
  note: z.string().optional(),
  /** A path to the action the evidence cannot see: with one, the safeguard holding on the paths it covers is never reported as stopped. */
  uncovered: z.string().optional(),
  evidence: z.array(Evidence).min(1),
});

/** The package folder the exercises are written to: `tabletop/<scenario>.md` and `.pdf`. */
export const TABLETOP_DIR = "tabletop";

export const Scenario = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string().min(1),
  summary: z.string().min(1),
  source: z.strictObject({ name: z.string().min(1), url: z.string().url() }),
  terms: z.array(z.string().min(1)).min(1),
  iamActions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/)),
  steps: z.array(Step).min(1),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioStep = z.infer<typeof Step>;

export const ScenarioFile = z.strictObject({ scenarios: z.array(Scenario).min(1) });

/** The scenarios shipped with the tool, validated once, sorted by id. */
export function loadScenarios(data: unknown = raw): Scenario[] {
  const parsed = ScenarioFile.parse(data).scenarios;
  return [...parsed].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
