import { z } from "zod";
import { Frequency } from "../frequency.ts";

/** One control: the framework's own id, our paraphrase, and the rules that test it. */
export const Control = z
  .strictObject({
    id: z.string().min(1),
    title: z.string().min(1),
    description: z.string().min(1),
    frequency: Frequency,
    rules: z.array(z.string()),
    /** Required when `rules` is empty: why this control is tested by hand. */
    manualReason: z.string().optional(),
    /** For a manual control: the documents or records the user should attach as its evidence. */
    attach: z.array(z.string().min(1)).optional(),
    /** The criterion's full text, for users who hold a licence; the package ships paraphrases only. */
    text: z.string().optional(),
  })
  .refine((c) => c.rules.length > 0 || c.manualReason, { message: "a control without rules needs a manualReason", path: ["manualReason"] });
export type Control = z.infer<typeof Control>;

/**
 * A criterion of the framework that this tool's subject (agents acting on code and cloud) does not
 * reach: listed with a reason so the package says what it does not cover instead of leaving it out.
 */
export const NotInScope = z.strictObject({ id: z.string().min(1), title: z.string().min(1), reason: z.string().min(1) });
export type NotInScope = z.infer<typeof NotInScope>;

export const Framework = z.strictObject({
  framework: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  controls: z.array(Control).min(1),
  notInScope: z.array(NotInScope).optional(),
});
export type Framework = z.infer<typeof Framework>;

export const Crosswalk = z.strictObject({
  $comment: z.string().optional(),
  pairs: z.array(z.strictObject({ soc2: z.string(), iso27001: z.string(), note: z.string().optional() })),
});
export type Crosswalk = z.infer<typeof Crosswalk>;

/**
 * A workspace file that maps more rules onto existing controls (package or workspace ones), or
 * supplies a control's full text. Mapping stays in `controls/`: rules never name their controls.
 */
export const ControlMappings = z.strictObject({
  $comment: z.string().optional(),
  mappings: z
    .array(z.strictObject({ control: z.string().min(1), rules: z.array(z.string()).default([]), text: z.string().optional() }))
    .min(1),
});
export type ControlMappings = z.infer<typeof ControlMappings>;
