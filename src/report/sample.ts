import { createHash } from "node:crypto";
import type { Frequency } from "../frequency.ts";
import defaults from "./sample-sizes.json" with { type: "json" };

/** How many items to sample for one frequency: clamp(ceil(population * share), min, max). */
export interface SampleSizeRule {
  min: number;
  max: number;
  share: number;
}
export type SampleSizes = Record<Frequency, SampleSizeRule>;

/**
 * Audit sample sizes by how often a control operates (common practice; AICPA prescribes no sizes and
 * firms differ: legalclarity.org "Control testing sample size table", sarbanes-oxley-forum.com post 16601): annual 1, quarterly 2, monthly 2-5, weekly 5-15, daily 25,
 * many times a day 25-60; per-occurrence populations about 10% with a minimum of 3 and a maximum of 30.
 */
export const DEFAULT_SAMPLE_SIZES: SampleSizes = {
  annual: defaults.annual,
  quarterly: defaults.quarterly,
  monthly: defaults.monthly,
  weekly: defaults.weekly,
  daily: defaults.daily,
  continuous: defaults.continuous,
  "per-occurrence": defaults["per-occurrence"],
};

/** The defaults with a workspace's overrides (config `report.sampleSizes`) laid over them. */
export function resolveSampleSizes(overrides: Partial<Record<Frequency, SampleSizeRule>> = {}): SampleSizes {
  return { ...DEFAULT_SAMPLE_SIZES, ...overrides };
}

export function sampleSize(frequency: Frequency, population: number, sizes: SampleSizes = DEFAULT_SAMPLE_SIZES): number {
  const rule = sizes[frequency];
  return Math.min(population, Math.max(rule.min, Math.min(rule.max, Math.ceil(population * rule.share))));
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
