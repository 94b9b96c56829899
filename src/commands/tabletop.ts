import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadWorkspaceCatalog } from "../catalog/workspace.ts";
import { InputError, UsageError } from "../errors.ts";
import { evaluate } from "../evaluate.ts";
import { latestBuild, newestBuild, type StoredBuild } from "../history.ts";
import { parsePeriod, type Period } from "../period.ts";
import { workspaceId } from "../report/atomic-dir.ts";
import { loadPdfFonts } from "../report/fonts.ts";
import { renderMemoPdf } from "../report/memo-pdf.ts";
import type { ReportMeta } from "../report/model.ts";
import { workspaceTemplateFiles } from "../report/up-to-date.ts";
import { listFiles, MANIFEST_FILE, readManifest, sha256File, type PackageManifest } from "../report/verify-package.ts";
import { SIGNATURE_FILE } from "../report/signature.ts";
import { loadRegisters } from "../registers/index.ts";
import { loadRegistersIntoStore } from "../registers/store.ts";
import { answerScenario, type ScenarioAnswer } from "../tabletop/answer.ts";
import { tabletopFacts } from "../tabletop/facts.ts";
import { tabletopMarkdown, type TabletopMeta } from "../tabletop/markdown.ts";
import { loadScenarios, TABLETOP_DIR, type Scenario } from "../tabletop/scenario.ts";
import type { Db } from "../store/index.ts";
import { buildIdOf, productionDefined } from "./build.ts";
import { type GlobalOptions, openWorkspace, output, TOOL_VERSION, withStore, type Workspace } from "./context.ts";

export interface TabletopArgs extends GlobalOptions {
  /** A scenario id, or `all`; without it the scenarios are listed. */
  scenario?: string | undefined;
  period?: string | undefined;
  out?: string | undefined;
}

/** The package folder the exercise is written into: `tabletop/<scenario>.md` and `.pdf`. */

function chosenScenarios(all: Scenario[], id: string): Scenario[] {
  if (id === "all") return all;
  const found = all.find((s) => s.id === id);
  if (!found) throw new UsageError(`unknown scenario "${id}": expected all or one of ${all.map((s) => s.id).join(", ")}`);
  return [found];
}

/**
 * The period's stored build, checked to be what the store holds now: the exercise cites findings
 * by id, so it must rest on the same evaluation as the package's findings.csv. Missing or stale
 * evidence is an input error (exit 2) that names the command to run.
 */
function currentBuild(db: Db, ws: Workspace, period: Period, workspaceFiles: { path: string; sha256: string }[]): StoredBuild {
  const hint = `run "evidence build --period ${period.label}" first`;
  const build = latestBuild(db, period.label);
  if (!build) throw new InputError(`no build for ${period.label} in ${ws.dbPath}; ${hint} (the tabletop reads a built period's evidence)`, ws.dbPath);
  const now = buildIdOf(db, ws.loaded.sha256, period, workspaceFiles);
  if (now !== build.buildId) {
    throw new InputError(`the stored build ${build.buildId} for ${period.label} is stale: the config, catalog, registers, templates or ingested sources changed since it was built; ${hint}`, ws.dbPath);
  }
  // Production changes are derived for the period last built (src/changes/derive.ts).
  const newest = newestBuild(db);
  if (newest && newest.buildId !== build.buildId) {
    throw new InputError(`the store's last build is for ${newest.period}, not ${period.label}, so its derived production changes are another period's; ${hint}`, ws.dbPath);
  }
  return build;
}

/** Writes `text` beside its final name and renames it, so a crash never leaves a half-written file under the final name. */
function writeAtomic(file: string, data: string | Buffer): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The manifest after the exercise's files were written. Into a package of the same build the files
 * are added to its manifest (every listed file keeps its hash, so `evidence verify` still passes);
 * into a fresh folder the exercise gets a manifest of its own. A signed package is refused: adding a
 * file would break its signature.
 */
function manifestBase(outDir: string, build: StoredBuild): PackageManifest | null {
  if (!existsSync(outDir)) return null;
  if (existsSync(path.join(outDir, MANIFEST_FILE))) {
    const manifest = readManifest(outDir);
    if (manifest.buildId !== build.buildId) {
      throw new InputError(`${outDir} holds the package of build ${manifest.buildId}, not the stored build ${build.buildId} for ${build.period}; rebuild it or choose another --out`, outDir);
    }
    if (existsSync(path.join(outDir, SIGNATURE_FILE))) {
      throw new InputError(`${outDir} is a signed package: adding the exercise would break its signature; write it to another folder with --out`, outDir);
    }
    return manifest;
  }
  if (readdirSync(outDir).length) throw new InputError(`${outDir} is neither empty nor an evidence package; choose another --out`, outDir);
  return null;
}

function writeExercise(outDir: string, base: PackageManifest | null, fresh: Omit<PackageManifest, "outputs">, files: { path: string; data: string | Buffer }[]): string[] {
  mkdirSync(path.join(outDir, TABLETOP_DIR), { recursive: true });
  for (const f of files) writeAtomic(path.join(outDir, f.path), f.data);
  const manifest = base ?? { ...fresh, outputs: [] };
  const kept = new Map(manifest.outputs.map((o) => [o.path, o]));
  for (const f of files) {
    const abs = path.join(outDir, f.path);
    kept.set(f.path, { path: f.path, sha256: sha256File(abs), size: Buffer.byteLength(f.data) });
  }
  // In the order build lists a package's files (src/report/index.ts): the folder walked, sorted.
  const outputs = listFiles(outDir).flatMap((p) => kept.get(p) ?? []);
  writeAtomic(path.join(outDir, MANIFEST_FILE), JSON.stringify({ ...manifest, outputs }, null, 2) + "\n");
  return files.map((f) => f.path);
}

function listText(scenarios: Scenario[]): string {
  return [
    "Scenarios (evidence tabletop --scenario ID --period PERIOD, or --scenario all):",
    ...scenarios.map((s) => `  ${s.id.padEnd(30)} ${s.title}`),
  ].join("\n");
}

function summaryText(answers: ScenarioAnswer[], outDir: string, written: string[]): string {
  return [
    ...answers.flatMap((a) => [`${a.id}: ${a.title}`, ...a.steps.map((s, i) => `  ${i + 1}. ${s.question} ${s.verdict}`)]),
    `Wrote ${written.length} files to ${path.relative(process.cwd(), outDir) || "."}.`,
  ].join("\n");
}

export async function tabletopCommand(args: TabletopArgs): Promise<number> {
  const scenarios = loadScenarios();
  if (!args.scenario) {
    output(args, { scenarios: scenarios.map((s) => ({ id: s.id, title: s.title, questions: s.steps.map((q) => q.question) })) }, () => listText(scenarios));
    return 0;
  }
  const chosen = chosenScenarios(scenarios, args.scenario);
  if (!args.period) throw new UsageError("--period is required with --scenario: the tabletop reads one built period's evidence");
  const ws = openWorkspace(args);
  const { config } = ws.loaded;
  const period = parsePeriod(args.period, config.report.timezone);
  if (!existsSync(ws.dbPath)) throw new InputError(`no evidence store at ${ws.dbPath}; run "evidence build --period ${period.label}" first (the tabletop reads a built period's evidence)`, ws.dbPath);
  const outDir = args.out !== undefined ? path.resolve(args.out) : path.join(ws.loaded.root, "reports", period.label);
  const { catalog, rules, files: catalogFiles } = loadWorkspaceCatalog(ws.loaded);
  const registers = loadRegisters(config, ws.loaded.root);
  // As build computes its id (src/commands/build.ts): a changed input makes the stored build stale.
  const workspaceFiles = [...catalogFiles, ...registers.files, ...workspaceTemplateFiles(ws.loaded.root)].sort((a, b) => a.path.localeCompare(b.path));
  return withStore(ws.dbPath, async (db) => {
    const build = currentBuild(db, ws, period, workspaceFiles);
    const base = manifestBase(outDir, build);
    loadRegistersIntoStore(db, registers);
    const evaluation = evaluate(db, catalog, rules, period, { acceptances: registers.riskAcceptances ?? [], productionDefined: productionDefined(config) });
    const answers = chosen.map((s) => answerScenario(s, tabletopFacts(db, period, evaluation, s)));
    const generatedAt = base?.generatedAt ?? period.endIso;
    const meta: TabletopMeta = {
      organisation: config.organisation.name, period: period.label, periodStart: period.startIso, periodEnd: period.endIso, timezone: period.timezone,
      buildId: build.buildId, generatedAt, toolVersion: TOOL_VERSION, findings: evaluation.findings.length,
    };
    const reportMeta: ReportMeta = {
      organisation: meta.organisation, title: "Tabletop exercise", period: meta.period, periodStart: meta.periodStart, periodEnd: meta.periodEnd, timezone: meta.timezone,
      generatedAt, buildId: build.buildId, frameworks: [], toolVersion: TOOL_VERSION, configSha256: ws.loaded.sha256, preparedBy: config.report.preparedBy ?? null,
    };
    const fonts = loadPdfFonts();
    const files: { path: string; data: string | Buffer }[] = [];
    for (const a of answers) {
      const md = tabletopMarkdown(a, meta);
      files.push({ path: `${TABLETOP_DIR}/${a.id}.md`, data: md });
      files.push({ path: `${TABLETOP_DIR}/${a.id}.pdf`, data: await renderMemoPdf(md, `Tabletop exercise: ${a.title}`, reportMeta, fonts) });
    }
    const fresh = {
      tool: "evidence" as const, toolVersion: TOOL_VERSION, buildId: build.buildId, period: period.label, periodStart: period.startIso, periodEnd: period.endIso, generatedAt, configSha256: ws.loaded.sha256,
      workspace: workspaceId(outDir, ws.loaded.file), inputs: [{ path: path.relative(ws.loaded.root, ws.loaded.file), sha256: ws.loaded.sha256 }],
    };
    const written = writeExercise(outDir, base, fresh, files);
    output(args, { buildId: build.buildId, period: period.label, outDir, answers, files: written }, () => summaryText(answers, outDir, written));
    return 0;
  }, ws.lock);
}
