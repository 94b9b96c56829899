import type { Evaluation } from "../evaluate.ts";
import { findingIndex } from "./collect/rule-results.ts";
import { renderCsv } from "./csv.ts";
import { drawSample, SAMPLE_METHOD, sampleSize, type SampleSizes } from "./sample.ts";

/**
 * The workpapers: for each control and each test (rule) that supports it, a seeded sample drawn
 * from that test's own population, with the attribute the test checked, the expected and observed
 * values and the test's result on every sampled item. Pure: drawn from the rule runs' items, so a
 * sample can never come from a population its test did not judge.
 */
export interface SampleItem {
  /** 1-based position of the item among the items the test judged, in the rule's order. */
  position: number;
  key: string;
  observed: string;
  result: "pass" | "exception";
  findingId: string | null;
  /** Source file and record, when the item has one. */
  source: string | null;
}

export interface TestSample {
  control: string;
  rule: string;
  frequency: string;
  population: string;
  query: string;
  attribute: string;
  expected: string;
  populationSize: number;
  sampleSize: number;
  /** Why no sample was drawn, when none was (a test not run, or a population tested in full by query only). */
  noSample: string | null;
  items: SampleItem[];
}

export interface SampleSet {
  seed: string;
  method: string;
  sizes: SampleSizes;
  testedBy: string;
  tests: TestSample[];
}

export function drawTestSamples(evaluation: Evaluation, seed: string, sizes: SampleSizes, toolVersion: string): SampleSet {
  const findingOf = findingIndex(evaluation);
  const tests: TestSample[] = [];
  for (const control of evaluation.controls) {
    for (const ruleId of control.rules) {
      const run = evaluation.rules.find((r) => r.id === ruleId);
      if (!run) continue;
      const base = {
        control: control.id, rule: run.id, frequency: control.frequency, population: run.population?.description ?? "none",
        query: run.population?.query.replace(/\s+/g, " ").trim() ?? "", attribute: run.population?.attribute ?? "the rule's condition",
        expected: run.population?.expected ?? "met", populationSize: run.population?.size ?? 0,
      };
      if (!run.items) {
        const why = run.population ? "the test ran over the whole population by query (queries/" + run.id + ".sql); its items are not listed" : `not tested: ${run.results[0]?.message ?? run.outcome}`;
        tests.push({ ...base, sampleSize: 0, noSample: why, items: [] });
        continue;
      }
      const n = run.items.length;
      const k = sampleSize(control.frequency, n, sizes);
      const items = drawSample(seed, `${control.id}:${run.id}`, n, k).map((i): SampleItem => {
        const item = run.items![i]!;
        const findingId = item.result === "exception" ? findingOf(run.id, item) : null;
        return { position: i + 1, key: item.key, observed: item.observed, result: item.result, findingId, source: item.evidence ? `${item.evidence.file} ${item.evidence.locator}` : null };
      });
      tests.push({ ...base, sampleSize: k, noSample: n === 0 ? "the population is empty" : null, items });
    }
  }
  return { seed, method: SAMPLE_METHOD, sizes, testedBy: `evidence ${toolVersion}`, tests };
}

export const SAMPLE_COLUMNS = [
  "control", "rule", "population_size", "sample_size", "position", "item_key", "attribute", "expected", "observed", "result", "finding_id", "source", "seed", "tested_by",
];

export function samplesCsv(set: SampleSet): string {
  return renderCsv(
    SAMPLE_COLUMNS,
    set.tests.flatMap((t) =>
      t.items.map((i) => [
        t.control, t.rule, t.populationSize, t.sampleSize, i.position, i.key, t.attribute, t.expected, i.observed, i.result, i.findingId ?? "", i.source ?? "", set.seed,
        `${t.rule} (${set.testedBy})`,
      ]),
    ),
  );
}

/** sampling-method.txt: everything needed to redraw the samples by hand or with another tool. */
export function samplingMethodText(set: SampleSet): string {
  const lines = [
    `Seed: ${set.seed}`,
    `Method: ${set.method} The key is "<control>:<rule>"; positions are 1-based in the test's population, in the order its query returns it.`,
    "Sizes by control frequency: size = clamp(ceil(population x share), min, max), at most the population.",
    ...Object.entries(set.sizes).map(([f, r]) => `  ${f}: min ${r.min}, max ${r.max}, share ${r.share}`),
    "",
    "Per control and test:",
  ];
  for (const t of set.tests) {
    lines.push(
      t.noSample && t.items.length === 0
        ? `  ${t.control} ${t.rule}: no sample: ${t.noSample}`
        : `  ${t.control} ${t.rule} (${t.frequency}): ${t.sampleSize} of ${t.populationSize}; positions ${t.items.map((i) => i.position).join(", ")}`,
    );
    if (t.query) lines.push(`    query: queries/${t.rule}.sql`);
  }
  return lines.join("\n") + "\n";
}
