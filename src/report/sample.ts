import { createHash } from "node:crypto";
import type { Frequency } from "../catalog/schema.ts";

/**
 * Audit sample sizes by how often a control operates (common practice; firms differ, see
 * shared/reference/compliance.md): annual 1, quarterly 2, monthly 2-5, weekly 5-15, daily 25,
 * many times a day 25-60; per-occurrence populations about 10% with a minimum of 3 and a maximum of 30.
 */
export function sampleSize(frequency: Frequency, population: number): number {
  const within = (min: number, max: number, share: number) => Math.min(population, Math.max(min, Math.min(max, Math.ceil(population * share))));
  switch (frequency) {
    case "annual":
      return Math.min(population, 1);
    case "quarterly":
      return Math.min(population, 2);
    case "monthly":
      return within(2, 5, 0.1);
    case "weekly":
      return within(5, 15, 0.1);
    case "daily":
      return Math.min(population, 25);
    case "continuous":
      return within(25, 60, 0.05);
    case "per-occurrence":
      return within(3, 30, 0.1);
  }
}

export const SAMPLE_METHOD =
  "Indices drawn without replacement from SHA-256(seed ':' control ':' counter), read as a 48-bit integer modulo the remaining population (Fisher-Yates on the sorted population).";

/** Draws `k` distinct indices from [0, n), reproducibly from the seed and control id. */
export function drawSample(seed: string, control: string, n: number, k: number): number[] {
  const chosen = new Map<number, number>(); // sparse Fisher-Yates: position -> value
  const valueAt = (i: number) => chosen.get(i) ?? i;
  const picks: number[] = [];
  for (let i = 0; i < Math.min(k, n); i++) {
    const digest = createHash("sha256").update(`${seed}:${control}:${i}`).digest();
    const j = i + (digest.readUIntBE(0, 6) % (n - i));
    const vi = valueAt(i);
    const vj = valueAt(j);
    chosen.set(i, vj);
    chosen.set(j, vi);
    picks.push(vj);
  }
  return picks.sort((a, b) => a - b);
}
