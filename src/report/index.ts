import type { KeyObject } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync, statSync } from "node:fs";
import path from "node:path";
import type { Catalog } from "../catalog/index.ts";
import type { Period } from "../period.ts";
import type { Db } from "../store/index.ts";
import { assertReplaceable, cleanStaleSiblings, insideDir } from "./atomic-dir.ts";
import { csvRow, renderCsv } from "./csv.ts";
import { loadPdfFonts } from "./fonts.ts";
import { loadMemoTemplates, renderMemos } from "./memo.ts";
import { renderMemoPdf } from "./memo-pdf.ts";
import { findingsCsv } from "./findings-csv.ts";
import { queryFiles } from "./queries.ts";
import type { ReportModel } from "./model.ts";
import { writeSuggestedPolicies } from "./collect/cloudtrail-iam.ts";
import { renderOscal } from "./oscal.ts";
import { renderPdf } from "./pdf.ts";
import { POPULATIONS, type PopulationSpec } from "./populations.ts";
import { DEFAULT_SAMPLE_SIZES, type SampleSizes } from "./sample.ts";
import { drawTestSamples, samplesCsv, samplingMethodText } from "./samples.ts";
import { SIGNATURE_FILE, signStatement, statementFor } from "./signature.ts";
import { listFiles, MANIFEST_FILE, sha256File } from "./verify-package.ts";
import { loggingCoverageCsv } from "./logging-coverage-csv.ts";
import { timelineCsv } from "./timeline-csv.ts";

export interface WriteOptions {
  db: Db;
  period: Period;
  catalog?: Catalog;
  outDir: string;
  templatesDir?: string;
  maxAcceptanceDays: number;
  sampleSeed: string;
  /** Sample sizes per control frequency (defaults: sample-sizes.json). */
  sampleSizes?: SampleSizes;
  /** Ed25519 key: sign the package (manifest.sig.json, a DSSE envelope over an in-toto statement). */
  signingKey?: KeyObject | undefined;
  /** Copy the store into the package (store/evidence.db) for re-performing the queries. */
  includeStore?: boolean | undefined;
  /** Inputs to list in the manifest: path relative to the workspace and SHA-256. */
  inputs: { path: string; sha256: string; size: number }[];
  /** The workspace writing the package (atomic-dir.ts workspaceId), recorded so another workspace's build does not replace it unasked. */
  workspace?: string | undefined;
}

export interface WrittenFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Streams a population query to its CSV file, and its subsets' rows to theirs, in ~1 MiB chunks:
 * memory stays flat whatever its size. A row's cells beyond `columns` are its subset flags.
 */
function writePopulationCsv(db: Db, dir: string, spec: PopulationSpec, params: Record<string, string>): void {
  const files = [spec.file, ...(spec.subsets ?? []).map((s) => s.file)];
  const fds: number[] = [];
  try {
    for (const file of files) fds.push(openSync(path.join(dir, file), "w"));
    const header = csvRow(spec.columns);
    const chunks = files.map(() => header);
    const width = spec.columns.length;
    const stmt = db.prepare(spec.sql).raw(true);
    for (const row of stmt.iterate(params) as Iterable<unknown[]>) {
      const line = csvRow(row.length === width ? row : row.slice(0, width));
      chunks[0] += line;
      for (let i = 1; i < files.length; i++) if (row[width + i - 1] === 1) chunks[i] += line;
      for (let i = 0; i < files.length; i++) {
        if (chunks[i]!.length > 1 << 20) {
          writeSync(fds[i]!, chunks[i]!);
          chunks[i] = "";
        }
      }
    }
    for (let i = 0; i < files.length; i++) writeSync(fds[i]!, chunks[i]!);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** Every population CSV (populations.ts) streamed into `dir`. */
export function writePopulations(db: Db, dir: string, period: Period): void {
  const params = { start: period.startIso, end: period.endIso };
  for (const spec of POPULATIONS) writePopulationCsv(db, dir, spec, params);
}

function hashed(dir: string, file: string): WrittenFile {
  return { path: file, sha256: sha256File(path.join(dir, file)), size: statSync(path.join(dir, file)).size };
}

/**
 * Writes the whole package into a temporary sibling folder and moves it into place at the end,
 * so a reader (or an auditor's copy) never sees a half-written package.
 */
export async function writeReport(base: ReportModel, opts: WriteOptions): Promise<WrittenFile[]> {
  if (!base.package) throw new Error("writeReport needs a collected model (report/collect)");
  const outDir = path.resolve(opts.outDir);
  mkdirSync(path.dirname(outDir), { recursive: true });
  // Folders of earlier runs killed mid-write (see cleanStaleSiblings), before this run adds its own.
  cleanStaleSiblings(outDir);
  const temp = `${outDir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(path.join(temp, "memos"), { recursive: true });
  try {
    writePopulations(opts.db, temp, opts.period);
    const samples = base.samples ?? drawTestSamples(base.evaluation, opts.sampleSeed, opts.sampleSizes ?? DEFAULT_SAMPLE_SIZES, base.meta.toolVersion);
    const model: ReportModel = { ...base, samples };
    const { evaluation } = model;
    writeFileSync(
      path.join(temp, "findings.csv"),
      findingsCsv(model),
    );
    writeFileSync(
      path.join(temp, "controls.csv"),
      renderCsv(
        ["control", "framework", "title", "status", "reason", "rules", "rules_with_evidence", "findings", "frequency", "attach"],
        evaluation.controls.map((c) => [
          c.id, c.framework, c.title, c.status, c.reason, c.rules.join(" "), `${c.coverage.sufficient}/${c.coverage.rules}`, c.findings, c.frequency, (c.attach ?? []).join("; "),
        ]),
      ),
    );
    writeFileSync(path.join(temp, "samples.csv"), samplesCsv(samples));
    if (model.loggingCoverage) writeFileSync(path.join(temp, "logging-coverage.csv"), loggingCoverageCsv(model.loggingCoverage));
    writeFileSync(path.join(temp, "timeline.csv"), timelineCsv(model.timeline ?? []));
    mkdirSync(path.join(temp, "queries"));
    for (const q of queryFiles(model)) writeFileSync(insideDir(temp, q.path), q.content);
    writeFileSync(path.join(temp, "sampling-method.txt"), samplingMethodText(samples));
    const fonts = loadPdfFonts();
    for (const memo of renderMemos(model, loadMemoTemplates(opts.templatesDir), opts.maxAcceptanceDays)) {
      writeFileSync(insideDir(temp, `${memo.name}.md`), memo.content);
      writeFileSync(insideDir(temp, `${memo.name}.pdf`), await renderMemoPdf(memo.content, memo.title, model.meta, fonts));
    }
    writeFileSync(path.join(temp, "assessment-results.json"), renderOscal(model));
    writeFileSync(path.join(temp, "report.pdf"), await renderPdf(model, { fonts }));
    writeSuggestedPolicies(temp, model.cloudtrailIam);
    if (opts.includeStore) {
      // A consistent snapshot of the redacted store, compacted; the manifest hashes it like any output.
      mkdirSync(path.join(temp, "store"));
      const copy = path.join(temp, "store", "evidence.db");
      opts.db.prepare("VACUUM INTO ?").run(copy);
      // The registers the rules read are TEMP tables of this connection: copy them too, so every query in queries/ runs on the copy.
      const registers = (opts.db.prepare("SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE 'register%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      if (registers.length) {
        opts.db.prepare("ATTACH DATABASE ? AS package_store").run(copy);
        try {
          for (const name of registers) opts.db.exec(`CREATE TABLE package_store."${name}" AS SELECT * FROM temp."${name}"`);
        } finally {
          opts.db.exec("DETACH DATABASE package_store");
        }
      }
    }

    const outputs = listFiles(temp).map((p) => hashed(temp, p));
    const manifest = {
      tool: "evidence",
      toolVersion: model.meta.toolVersion,
      buildId: model.meta.buildId,
      period: model.meta.period,
      periodStart: model.meta.periodStart,
      periodEnd: model.meta.periodEnd,
      generatedAt: model.meta.generatedAt,
      // Set aside when packages are compared for determinism: everything else depends on the inputs only.
      ...(model.meta.run ? { run: { ...model.meta.run, toolVersion: model.meta.toolVersion } } : {}),
      configSha256: model.meta.configSha256,
      ...(opts.workspace !== undefined ? { workspace: opts.workspace } : {}),
      inputs: [...opts.inputs].sort((a, b) => a.path.localeCompare(b.path)),
      outputs,
    };
    writeFileSync(path.join(temp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    const sealed = [...outputs, hashed(temp, MANIFEST_FILE)];
    if (opts.signingKey) {
      const statement = statementFor(sealed, { buildId: manifest.buildId, period: manifest.period, toolVersion: manifest.toolVersion, configSha256: manifest.configSha256 });
      writeFileSync(path.join(temp, SIGNATURE_FILE), JSON.stringify(signStatement(statement, opts.signingKey), null, 2) + "\n");
    }

    const old = `${outDir}.old-${process.pid}`;
    // Checked again right before the move: the folder may have changed since the build began.
    assertReplaceable(outDir);
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(temp, outDir);
    rmSync(old, { recursive: true, force: true });
    return opts.signingKey ? [...sealed, hashed(outDir, SIGNATURE_FILE)] : sealed;
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}
