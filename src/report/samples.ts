import type { ControlResult } from "../evaluate.ts";
import type { Period } from "../period.ts";
import type { Db } from "../store/index.ts";
import { renderCsv } from "./csv.ts";
import { POPULATIONS, type PopulationSpec } from "./populations.ts";
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

interface PopulationDraw {
  n: number;
  /** 0-based positions in the population (CSV row order) some control samples. */
  wanted: Set<number>;
  rows: Map<number, unknown[]>;
}

/**
 * Draws every control's reproducible sample from its population while the population CSVs are
 * written: each population is counted first (the draw depends on its size), then its rows are
 * taken from the same pass that streams the CSV, so a month of agent actions is not read and
 * sorted twice. Row numbers are 1-based positions in the population CSV (after its header), so
 * an auditor can find each item there.
 */
export class PopulationSampler {
  private readonly planned: { control: ControlResult; spec: PopulationSpec }[];
  private readonly draws = new Map<string, PopulationDraw>();

  constructor(
    db: Db,
    private readonly period: Period,
    controls: ControlResult[],
    private readonly seed: string,
    private readonly sizes: SampleSizes,
  ) {
    this.planned = controls.flatMap((control) => {
      const spec = POPULATIONS.find((p) => p.file === POPULATION_BY_CONTROL[control.id]);
      return spec ? [{ control, spec }] : [];
    });
    const parameters = periodParameters(period);
    for (const spec of new Set(this.planned.map((p) => p.spec))) {
      const n = (db.prepare(`SELECT count(*) AS n FROM (${spec.sql})`).get(parameters) as { n: number }).n;
      const wanted = new Set(this.planned.filter((p) => p.spec === spec).flatMap((p) => drawSample(seed, p.control.id, n, sampleSize(p.control.frequency, n, sizes))));
      this.draws.set(spec.file, { n, wanted, rows: new Map() });
    }
  }

  /** What the population writer calls with each row of `file` (0-based position), or null when no control samples it. */
  rowTaker(file: string): ((position: number, row: unknown[]) => void) | null {
    const draw = this.draws.get(file);
    if (!draw?.wanted.size) return null;
    return (position, row) => {
      if (draw.wanted.has(position)) draw.rows.set(position, row);
    };
  }

  /** The samples; every population drawn from must have been written (or read through rowTaker) by now. */
  result(): SampleSet {
    const parameters = periodParameters(this.period);
    const controls = this.planned.map(({ control, spec }): ControlSample => {
      const { n, rows } = this.draws.get(spec.file)!;
      const k = sampleSize(control.frequency, n, this.sizes);
      const items = drawSample(this.seed, control.id, n, k).map((index) => {
        const row = rows.get(index);
        // The count and the pass that wrote the CSV disagree only if the store changed in between.
        if (!row) throw new Error(`${spec.file}: sampled row ${index + 1} of ${n} was not read; was the store changed during the build?`);
        return { row: index + 1, values: Object.fromEntries(spec.columns.map((c, i) => [c, row[i]])) };
      });
      return {
        control: control.id, frequency: control.frequency, population: spec.file, populationTitle: spec.title,
        query: spec.sql.replace(/\s+/g, " ").trim(), parameters, populationSize: n, sampleSize: k, items,
      };
    });
    return { seed: this.seed, method: SAMPLE_METHOD, sizes: this.sizes, controls };
  }
}

function periodParameters(period: Period): Record<string, string> {
  return { start: period.startIso, end: period.endIso };
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
