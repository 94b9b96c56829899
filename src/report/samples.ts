import type { ControlResult } from "../evaluate.ts";
import type { Period } from "../period.ts";
import type { Db } from "../store/index.ts";
import { renderCsv } from "./csv.ts";
import { POPULATIONS } from "./populations.ts";
import { drawSample, SAMPLE_METHOD, sampleSize, type SampleSizes } from "./sample.ts";
import populationOf from "./sample-populations.json" with { type: "json" };

/** One control's reproducible audit sample: the population it came from and the rows drawn. */
export interface ControlSample {
  control: string;
  frequency: ControlResult["frequency"];
  population: string;
  populationTitle: string;
  /** The SQL and its parameters that produce the population, in the population CSV's row order. */
  query: string;
  parameters: Record<string, string>;
  populationSize: number;
  sampleSize: number;
  items: { row: number; values: Record<string, unknown> }[];
}

export interface SampleSet {
  seed: string;
  method: string;
  sizes: SampleSizes;
  controls: ControlSample[];
}

const POPULATION_BY_CONTROL: Record<string, string | undefined> = populationOf;

/**
 * Draws every control's sample from its population in the store. Row numbers are 1-based
 * positions in the population CSV (after its header), so an auditor can find each item there.
 */
export function collectSamples(db: Db, period: Period, controls: ControlResult[], seed: string, sizes: SampleSizes): SampleSet {
  const parameters = { start: period.startIso, end: period.endIso };
  const out: ControlSample[] = [];
  for (const control of controls) {
    const spec = POPULATIONS.find((p) => p.file === POPULATION_BY_CONTROL[control.id]);
    if (!spec) continue;
    const n = (db.prepare(`SELECT count(*) AS n FROM (${spec.sql})`).get(parameters) as { n: number }).n;
    const k = sampleSize(control.frequency, n, sizes);
    const stmt = db.prepare(`${spec.sql} LIMIT 1 OFFSET :offset`).raw(true);
    const items = drawSample(seed, control.id, n, k).map((index) => {
      const row = stmt.get({ ...parameters, offset: index }) as unknown[];
      return { row: index + 1, values: Object.fromEntries(spec.columns.map((c, i) => [c, row[i]])) };
    });
    out.push({
      control: control.id, frequency: control.frequency, population: spec.file, populationTitle: spec.title,
      query: spec.sql.replace(/\s+/g, " ").trim(), parameters, populationSize: n, sampleSize: k, items,
    });
  }
  return { seed, method: SAMPLE_METHOD, sizes, controls: out };
}

export function samplesCsv(set: SampleSet): string {
  return renderCsv(
    ["control", "population", "population_size", "sample_size", "row_number", "seed", "item"],
    set.controls.flatMap((c) => c.items.map((item) => [c.control, c.population, c.populationSize, c.sampleSize, item.row, set.seed, JSON.stringify(item.values)])),
  );
}

/** sampling-method.txt: everything needed to redraw the samples by hand or with another tool. */
export function samplingMethodText(set: SampleSet): string {
  const lines = [
    `Seed: ${set.seed}`,
    `Method: ${set.method}`,
    "Sizes by control frequency: size = clamp(ceil(population x share), min, max), at most the population.",
    ...Object.entries(set.sizes).map(([f, r]) => `  ${f}: min ${r.min}, max ${r.max}, share ${r.share}`),
    "",
    "Per control:",
  ];
  for (const c of set.controls) {
    lines.push(`  ${c.control} (${c.frequency}): ${c.sampleSize} of ${c.populationSize} rows of ${c.population}; rows ${c.items.map((i) => i.row).join(", ") || "none"}`);
    lines.push(`    query: ${c.query}`);
    lines.push(`    parameters: start=${c.parameters.start}, end=${c.parameters.end}`);
  }
  return lines.join("\n") + "\n";
}
