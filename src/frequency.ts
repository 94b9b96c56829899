import { z } from "zod";

/** How often a control operates; drives audit sample sizes. */
export const Frequency = z.enum(["annual", "quarterly", "monthly", "weekly", "daily", "continuous", "per-occurrence"]);
export type Frequency = z.infer<typeof Frequency>;
