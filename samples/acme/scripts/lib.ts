/** Shared helpers for the sample generators: each generator module makes its own seeded PRNG, so adding one never shifts another's data. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROD_ACCOUNT = "111122223333";
export const STAGING_ACCOUNT = "444455556666";

/** mulberry32: a tiny seeded PRNG; sample data must be identical on every run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join("");
  return {
    next,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
  };
}

export const iso = (day: number, h: number, m: number, s = 0) => new Date(Date.UTC(2026, 9, day, h, m, s)).toISOString();

export function writeSampleFile(relPath: string, content: string | Buffer): void {
  const file = path.join(ROOT, relPath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}
