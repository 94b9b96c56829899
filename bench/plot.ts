/**
 * The scaling series (`npm run bench -- --size month --scaling`): the three ingest stages at a
 * quarter, half and all of the named size, measured in this run, written as JSON and drawn as a
 * small SVG (docs/bench-scaling.svg): wall time and peak RSS against input size, one panel per
 * stage. Flat memory and straight time lines are what bounded, linear ingest looks like.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchOptions, BenchReport, SizeName, StageResult } from "./index.ts";

export interface ScalingPoint {
  stage: string;
  unit: string;
  input: number;
  wallSeconds: number;
  peakRssMb: number;
  baselineSeconds: number | null;
}

const FACTORS = [0.25, 0.5, 1];
const STAGES = ["cloudtrail", "agent-logs", "git"] as const;
const TITLES: Record<string, string> = { cloudtrail: "CloudTrail events", "agent-logs": "Agent hook events", git: "Git commits" };

/** `runBench` is passed in: bench/index.ts imports this module from its own top-level await, so importing it back would deadlock. */
export async function runScaling(
  runBench: (options: BenchOptions) => Promise<BenchReport>, size: SizeName, outDir: string, svgFile: string, log: (line: string) => void,
): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  const loads: number[] = [];
  for (const factor of FACTORS) {
    log(`scaling: ${size} x ${factor}`);
    const report = await runBench({ size, factor, stages: STAGES, log });
    for (const s of report.stages) {
      points.push(point(s));
      loads.push(...s.load);
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `results-scaling-${size}.json`), JSON.stringify({ size, points, load: loads }, null, 2) + "\n");
  mkdirSync(path.dirname(svgFile), { recursive: true });
  writeFileSync(svgFile, scalingSvg(points, caption(size, loads)));
  log(`wrote ${svgFile}`);
  return points;
}

const caption = (size: string, loads: number[]) =>
  `npm run bench -- --size ${size} --scaling; 1-minute load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${availableParallelism()} cores`;

function point(s: StageResult): ScalingPoint {
  return { stage: s.stage, unit: s.unit, input: s.input, wallSeconds: s.wallSeconds, peakRssMb: s.peakRssMb, baselineSeconds: s.baseline?.seconds ?? null };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const fmt = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(0)}k` : String(n));

/** Pure: points in, SVG text out (one panel per stage; time solid, RSS dashed, baseline dotted). */
export function scalingSvg(points: ScalingPoint[], caption: string): string {
  const stages = [...new Set(points.map((p) => p.stage))];
  const W = 260;
  const H = 200;
  const pad = { l: 44, r: 44, t: 28, b: 36 };
  const panels = stages.map((stage, i) => {
    const ps = points.filter((p) => p.stage === stage).sort((a, b) => a.input - b.input);
    const maxX = Math.max(...ps.map((p) => p.input));
    const maxT = Math.max(...ps.map((p) => Math.max(p.wallSeconds, p.baselineSeconds ?? 0))) * 1.1 || 1;
    const maxM = Math.max(...ps.map((p) => p.peakRssMb)) * 1.25 || 1;
    const x = (v: number) => pad.l + (v / maxX) * (W - pad.l - pad.r);
    const yT = (v: number) => H - pad.b - (v / maxT) * (H - pad.t - pad.b);
    const yM = (v: number) => H - pad.b - (v / maxM) * (H - pad.t - pad.b);
    const line = (get: (p: ScalingPoint) => number | null, y: (v: number) => number, style: string) => {
      const pts = ps.filter((p) => get(p) !== null).map((p) => `${x(p.input).toFixed(1)},${y(get(p)!).toFixed(1)}`);
      return pts.length ? `<polyline fill="none" ${style} points="${pts.join(" ")}"/>` + pts.map((q) => `<circle cx="${q.split(",")[0]}" cy="${q.split(",")[1]}" r="2.5" ${style.replace(/stroke-dasharray="[^"]*"/, "")}/>`).join("") : "";
    };
    const ticks = ps.map((p) => `<text x="${x(p.input).toFixed(1)}" y="${H - pad.b + 14}" text-anchor="middle">${fmt(p.input)}</text>`).join("");
    return `<g transform="translate(${i * W},0)">
  <text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(TITLES[stage] ?? stage)}</text>
  <line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>
  <line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#888"/>
  <line x1="${W - pad.r}" y1="${pad.t}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>
  <text x="${pad.l - 4}" y="${pad.t + 4}" text-anchor="end" fill="#1f5fa8">${maxT.toFixed(maxT < 10 ? 1 : 0)} s</text>
  <text x="${pad.l - 4}" y="${H - pad.b}" text-anchor="end" fill="#1f5fa8">0</text>
  <text x="${W - pad.r + 4}" y="${pad.t + 4}" fill="#b8461b">${Math.round(maxM)} MB</text>
  <text x="${W - pad.r + 4}" y="${H - pad.b}" fill="#b8461b">0</text>
  ${ticks}
  <text x="${W / 2}" y="${H - 6}" text-anchor="middle" fill="#555">${esc(ps[0]?.unit ?? "")}</text>
  ${line((p) => p.baselineSeconds, yT, 'stroke="#1f5fa8" stroke-width="1" stroke-dasharray="1,3"')}
  ${line((p) => p.wallSeconds, yT, 'stroke="#1f5fa8" stroke-width="2"')}
  ${line((p) => p.peakRssMb, yM, 'stroke="#b8461b" stroke-width="2" stroke-dasharray="5,3"')}
</g>`;
  });
  const width = W * stages.length;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 34}" viewBox="0 0 ${width} ${H + 34}" font-family="sans-serif" font-size="10">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
<g transform="translate(0,${H + 8})">
  <line x1="10" y1="6" x2="30" y2="6" stroke="#1f5fa8" stroke-width="2"/><text x="34" y="9">wall time (left axis)</text>
  <line x1="150" y1="6" x2="170" y2="6" stroke="#1f5fa8" stroke-dasharray="1,3"/><text x="174" y="9">baseline (jq, JSON.parse, git log)</text>
  <line x1="350" y1="6" x2="370" y2="6" stroke="#b8461b" stroke-width="2" stroke-dasharray="5,3"/><text x="374" y="9">peak RSS (right axis)</text>
  <text x="10" y="22" fill="#555">${esc(caption)}</text>
</g>
</svg>
`;
}

// Redraw from a saved series: node --import tsx bench/plot.ts bench/out/results-scaling-month.json [docs/bench-scaling.svg]
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  const saved = JSON.parse(readFileSync(process.argv[2], "utf8")) as { size: string; points: ScalingPoint[]; load: number[] };
  writeFileSync(process.argv[3] ?? "docs/bench-scaling.svg", scalingSvg(saved.points, caption(saved.size, saved.load)));
}
