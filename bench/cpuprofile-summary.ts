/**
 * `node --import tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top 25] [--stages a,b,c]`:
 * what a V8 CPU profile (`node --cpu-prof`) says, as text: the functions with the most self time,
 * and the inclusive time of named functions (the build's stages: `ingestSources`, `evaluate`,
 * `collectReport`, `writeReport`, ...). A sample counts once for a function however often the
 * function recurs in its stack. Sample times come from the profile's `timeDeltas` (Chrome DevTools
 * Protocol, Profiler.Profile: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Summary {
  totalMs: number;
  self: { name: string; ms: number }[];
  stages: { name: string; ms: number }[];
  /** Inclusive time per source file of the project (src/...): each rule, each collector. */
  files: { name: string; ms: number }[];
}

function frameName(n: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.startsWith("file://") ? path.relative(root, fileURLToPath(url)) : url;
  return `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
}

export function summarise(profile: Profile, stageNames: string[], root: string): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const stage = new Map<string, number>(stageNames.map((s) => [s, 0]));
  const files = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // The delta before a sample is the time it stands for (the first one is from the profile's start).
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(id)!;
    const name = frameName(node, root);
    self.set(name, (self.get(name) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName: fn, url } = byId.get(cur)!.callFrame;
      if (stage.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        stage.set(fn, stage.get(fn)! + ms);
      }
      const src = url.startsWith("file://") ? path.relative(root, fileURLToPath(url)) : "";
      if (src.startsWith("src/") && !seen.has(src)) {
        seen.add(src);
        files.set(src, (files.get(src) ?? 0) + ms);
      }
    }
  });
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name));
  return { totalMs: total, self: sorted(self), stages: sorted(stage), files: sorted(files) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? undefined : argv[i + 1];
  };
  const file = argv[0];
  if (!file) throw new Error("usage: cpuprofile-summary.ts FILE.cpuprofile [--top N] [--stages a,b]");
  const stages = (opt("stages") ?? "ingestSources,deriveChanges,evaluate,collectReport,writeReport,recordBuild").split(",");
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const s = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, stages, root);
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`${(s.totalMs / 1000).toFixed(2)} s of samples\n\nstages (inclusive):`);
  for (const x of s.stages) console.log(`${(x.ms / 1000).toFixed(2).padStart(8)} s ${pct(x.ms)}  ${x.name}`);
  console.log(`\nsource files (inclusive):`);
  for (const x of s.files.slice(0, Number(opt("top") ?? 25))) console.log(`${(x.ms / 1000).toFixed(2).padStart(8)} s ${pct(x.ms)}  ${x.name}`);
  console.log(`\ntop self time:`);
  for (const x of s.self.slice(0, Number(opt("top") ?? 25))) console.log(`${(x.ms / 1000).toFixed(2).padStart(8)} s ${pct(x.ms)}  ${x.name}`);
}
