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
  // Per population, counted once and read in one pass for every control's sample: a LIMIT 1 OFFSET
  // per item re-ran (and re-sorted) the whole query each time, minutes on a month of agent actions.
  const drawn = new Map<string, { n: number; rows: Map<number, unknown[]> }>();
  const planned = controls.flatMap((control) => {
    const spec = POPULATIONS.find((p) => p.file === POPULATION_BY_CONTROL[control.id]);
    return spec ? [{ control, spec }] : [];
  });
  for (const spec of new Set(planned.map((p) => p.spec))) {
    const n = (db.prepare(`SELECT count(*) AS n FROM (${spec.sql})`).get(parameters) as { n: number }).n;
    const wanted = new Set(planned.filter((p) => p.spec === spec).flatMap((p) => drawSample(seed, p.control.id, n, sampleSize(p.control.frequency, n, sizes))));
    const rows = new Map<number, unknown[]>();
    let position = 0;
    if (wanted.size) {
      for (const row of db.prepare(spec.sql).raw(true).iterate(parameters) as IterableIterator<unknown[]>) {
        if (wanted.has(position)) rows.set(position, row);
        if (rows.size === wanted.size) break;
        position++;
      }
    }
    drawn.set(spec.file, { n, rows });
  }
  for (const { control, spec } of planned) {
    const { n, rows } = drawn.get(spec.file)!;
    const k = sampleSize(control.frequency, n, sizes);
    const indices = drawSample(seed, control.id, n, k);
    const items = indices.map((index) => {
      const row = rows.get(index)!;
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
