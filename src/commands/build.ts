import { createHash } from "node:crypto";
import { hostname, userInfo } from "node:os";
import path from "node:path";
import { loadWorkspaceCatalog } from "../catalog/workspace.ts";
import type { Config } from "../config.ts";
import { UsageError } from "../errors.ts";
import { evaluate, type Evaluation } from "../evaluate.ts";
import { resultsOf } from "../history.ts";
import { parsePeriod, type Period } from "../period.ts";
import { assertSafeOutDir, workspaceId } from "../report/atomic-dir.ts";
import { writeReport } from "../report/index.ts";
import { resolveSampleSizes } from "../report/sample.ts";
import { readKeyFile } from "../report/signature.ts";
import { readManifest } from "../report/verify-package.ts";
import { TABLETOP_DIR } from "../tabletop/scenario.ts";
import { collectReport } from "../report/collect/index.ts";
import type { ReportModel, ReportScope } from "../report/model.ts";
import { checkAcceptanceControls, loadRegisters } from "../registers/index.ts";
import { loadRegistersIntoStore } from "../registers/store.ts";
import { listSourceFiles, type Db } from "../store/index.ts";
import { type GlobalOptions, openWorkspace, output, TOOL_VERSION, withStore } from "./context.ts";
import { describeIngest } from "./ingest.ts";
import { ingestSources } from "../ingest/index.ts";
import { deriveChanges } from "../changes/derive.ts";
import { packageUpToDate, workspaceTemplateFiles } from "../report/up-to-date.ts";

export interface BuildArgs extends GlobalOptions {
  period: string;
  out?: string | undefined;
  asOf?: string | undefined;
  /** Ed25519 private key (PEM): sign the package (manifest.sig.json, DSSE). */
  signKey?: string | undefined;
  /** Add a copy of the redacted store to the package (store/evidence.db). */
  includeStore?: boolean | undefined;
  /** Hash every input, even one whose size and modification time are unchanged. */
  rehash?: boolean | undefined;
  /** Replace a package that another workspace wrote at --out. */
  force?: boolean | undefined;
}

/**
 * Branches alone say which code is production, not which account, path or resource an agent or a
 * cloud call touched: rules about production activity need at least one of those.
 */
export function productionDefined(config: Config): boolean {
  const p = config.environments.production;
  return p.awsAccounts.length + p.paths.length + p.resourcePatterns.length > 0;
}

function scopeOf(config: Config): ReportScope {
  return {
    productionDefined: productionDefined(config),
    sources: config.sources.map((s) => ({ name: s.name, kind: s.kind, files: s.kind === "git" ? `${s.repository} (branch ${s.productionBranch})` : s.paths.join(", ") })),
    agents: config.agents.map((a) => ({
      id: a.id,
      product: a.product,
      owner: a.owner ?? null,
      signals: Object.entries(a.match)
        .filter(([, v]) => v.length)
        .map(([k, v]) => `${k}: ${v.join(", ")}`)
        .join("; "),
    })),
    production: config.environments.production,
  };
}

/** The operating user for the run record; a container without a passwd entry still names its uid. */
function operatingUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

/** Build id: a hash of everything that determines the package, so equal inputs give equal ids. */
export function buildIdOf(db: Db, configSha: string, period: Period, workspaceFiles: { path: string; sha256: string }[] = []): string {
  const inputs = [...listSourceFiles(db).map((f) => `${f.source}\t${f.path}\t${f.sha256}`), ...workspaceFiles.map((f) => `workspace\t${f.path}\t${f.sha256}`)];
  return createHash("sha256").update([TOOL_VERSION, configSha, period.label, period.timezone, ...inputs].join("\n")).digest("hex").slice(0, 16);
}

function generatedAt(period: Period, asOf: string | undefined): string {
  if (!asOf) return period.endIso;
  const ms = Date.parse(asOf);
  if (!Number.isFinite(ms)) throw new UsageError(`invalid --as-of "${asOf}": expected an ISO-8601 date or time`);
  return new Date(ms).toISOString();
}

/** A box listing the sources that stopped early and the controls resting on them; empty when every population is complete. */
export function incompleteBox(evaluation: Evaluation): string {
  const gaps = [...new Set(evaluation.rules.flatMap((r) => r.incomplete))].sort();
  if (gaps.length === 0) return "";
  const controls = evaluation.controls.filter((c) => c.incomplete.length).map((c) => c.id);
  const lines = [
    `INCOMPLETE POPULATIONS: ${gaps.length === 1 ? "a source" : `${gaps.length} sources`} stopped early, so these results may miss records:`,
    ...gaps.map((g) => `  - ${g}`),
    `Controls resting on them (at best "exceptions", never effective): ${controls.join(", ") || "none"}.`,
    "evidence check fails on this unless run with --allow-incomplete.",
  ];
  const width = Math.min(120, Math.max(...lines.map((l) => l.length)));
  const bar = `+${"-".repeat(width + 2)}+`;
  return [bar, ...lines.map((l) => `| ${l.padEnd(width)} |`), bar].join("\n") + "\n";
}

/** Keeps this build's results so later builds and `evidence check` can compare periods. */
function recordBuild(db: Db, model: ReportModel, evaluation: Evaluation, period: Period): void {
  const results = resultsOf(evaluation);
  const seq = (db.prepare("SELECT coalesce(max(created_seq), 0) + 1 AS n FROM builds").get() as { n: number }).n;
  const inputs = createHash("sha256").update(JSON.stringify(model.sources.map((s) => s.sha256))).digest("hex");
  db.prepare(
    "INSERT INTO builds (build_id, period, period_start, period_end, config_sha256, inputs_sha256, results, created_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(model.meta.buildId, period.label, period.startIso, period.endIso, model.meta.configSha256, inputs, JSON.stringify(results), seq);
}

/** The tabletop files (src/commands/tabletop.ts) the package about to be replaced lists, and its build. */
function earlierExercises(outDir: string): { files: string[]; buildId: string } {
  try {
    const manifest = readManifest(outDir);
    return { files: manifest.outputs.map((o) => o.path).filter((p) => p.startsWith(`${TABLETOP_DIR}/`)).sort(), buildId: manifest.buildId };
  } catch {
    return { files: [], buildId: "" };
  }
}

export async function buildCommand(args: BuildArgs): Promise<number> {
  const ws = openWorkspace(args);
  const { config } = ws.loaded;
  const period = parsePeriod(args.period, config.report.timezone);
  const at = generatedAt(period, args.asOf);
  const signingKey = args.signKey ? readKeyFile(args.signKey, "private") : undefined;
  // The default lives beside the config, not in whatever folder the command runs from: two
  // workspaces built from one checkout must not write (and replace) the same reports/<period>/.
  const outDir = args.out !== undefined ? path.resolve(args.out) : path.join(ws.loaded.root, "reports", period.label);
  const repositories = config.sources.flatMap((s) => (s.repository ? [path.resolve(ws.loaded.root, s.repository)] : []));
  const workspace = workspaceId(outDir, ws.loaded.file);
  assertSafeOutDir(outDir, [ws.loaded.root, ws.loaded.file, ws.dbPath, ...repositories], { workspace, configSha256: ws.loaded.sha256, force: args.force });
  // Catalog and registers are validated before anything is ingested: a bad register row exits 2 at once.
  const { catalog, rules, files: catalogFiles } = loadWorkspaceCatalog(ws.loaded);
  const registers = loadRegisters(config, ws.loaded.root);
  checkAcceptanceControls(registers, catalog.allControlIds);
  const workspaceFiles = [...catalogFiles, ...registers.files, ...workspaceTemplateFiles(ws.loaded.root)].sort((a, b) => a.path.localeCompare(b.path));
  return withStore(ws.dbPath, async (db) => {
    const startedAt = new Date();
    const summary = await ingestSources(db, ws.loaded, { cacheDir: ws.cacheDir, now: startedAt, progress: ws.progress, rehash: args.rehash ?? false });
    ws.progress.info(describeIngest(summary));
    // Nothing changed since this package was written: it stands (src/report/up-to-date.ts).
    const buildId = buildIdOf(db, ws.loaded.sha256, period, workspaceFiles);
    const current = packageUpToDate(db, { buildId, period, outDir, generatedAt: at, signing: signingKey !== undefined, includeStore: args.includeStore === true });
    if (current.upToDate) {
      ws.progress.done();
      const { coverage, controls, findings } = current.results;
      output(args, { buildId, period: period.label, outDir, ingest: summary, upToDate: true, coverage, findings: findings.length, files: [] }, () =>
        `Build ${buildId} for ${period.label}: nothing changed since the package in ${path.relative(process.cwd(), outDir) || "."} was written; it is up to date ` +
          `(coverage ${coverage.overall.tested}/${coverage.overall.inScope} controls, ${controls.filter((c) => c.status === "deficient").length} deficient, ${findings.length} findings).`,
      );
      return 0;
    }
    ws.progress.update("evaluating controls");
    loadRegistersIntoStore(db, registers);
    // Production changes are judged across sources (commits, PR exports, agent sessions), for this period.
    deriveChanges(db, config, period);
    const evaluation = evaluate(db, catalog, rules, period, { acceptances: registers.riskAcceptances ?? [], productionDefined: productionDefined(config) });
    if (!productionDefined(config)) {
      const skipped = evaluation.rules.filter((r) => r.production && r.outcome === "no-evidence").map((r) => r.id);
      process.stderr.write(
        `warning: environments.production in ${path.relative(process.cwd(), ws.loaded.file) || ws.loaded.file} names no AWS account, path or resource pattern; ` +
          `rules about production were not tested (${skipped.join(", ")}).\n`,
      );
    }
    const model: ReportModel = collectReport(db, period, evaluation, scopeOf(config), {
        organisation: config.organisation.name,
        title: config.report.title,
        period: period.label,
        periodStart: period.startIso,
        periodEnd: period.endIso,
        timezone: period.timezone,
        generatedAt: at,
        buildId,
        frameworks: catalog.frameworks.map((f) => ({ id: f.framework, name: f.name, version: f.version })),
        toolVersion: TOOL_VERSION,
        configSha256: ws.loaded.sha256,
        preparedBy: config.report.preparedBy ?? null,
        run: { extractedAt: startedAt.toISOString(), host: hostname(), user: operatingUser() },
    }, workspaceFiles);
    ws.progress.update("writing reports");
    const inputs = [
      { path: path.relative(ws.loaded.root, ws.loaded.file), sha256: ws.loaded.sha256, size: 0 },
      ...model.sources.map((s) => ({ path: s.path, sha256: s.sha256, size: s.size })),
      ...workspaceFiles,
    ];
    // A tabletop exercise in the earlier package answered that package's build: it goes with it.
    const exercises = earlierExercises(outDir);
    const written = await writeReport(model, {
      db, period, catalog, outDir, templatesDir: path.join(ws.loaded.root, "templates"), maxAcceptanceDays: config.thresholds.maxAcceptanceDays,
      sampleSeed: config.report.sampleSeed, inputs, sampleSizes: resolveSampleSizes(config.report.sampleSizes), signingKey, includeStore: args.includeStore, workspace,
    });
    // Compared once, by the collector: the package and this summary state the same comparison.
    const comparison = model.package!.previous;
    recordBuild(db, model, evaluation, period);
    ws.progress.done();
    const statusCounts = Object.fromEntries(
      ["effective", "exceptions", "deficient", "not-tested", "manual"].map((s) => [s, evaluation.controls.filter((c) => c.status === s).length]),
    );
    output(
      args,
      {
        buildId: model.meta.buildId, period: period.label, outDir, ingest: summary, coverage: evaluation.coverage, controls: statusCounts, findings: evaluation.findings.length,
        acceptances: evaluation.acceptances, comparison, files: written, replacedTabletop: exercises.files,
      },
      () =>
        [
          `Build ${model.meta.buildId} for ${period.label}: coverage ${evaluation.coverage.overall.tested}/${evaluation.coverage.overall.inScope} controls ` +
            `(${Object.entries(statusCounts).map(([k, v]) => `${v} ${k}`).join(", ")}), ${evaluation.findings.length} findings.`,
          ...(comparison.previous
            ? [`Against ${comparison.previous.period}: ${comparison.newFindings.length} new, ${comparison.fixedFindings.length} fixed, ${comparison.recurringFindings.length} recurring findings.`]
            : []),
          ...evaluation.acceptances.filter((a) => a.status !== "active" && a.findings > 0).map((a) => `Risk acceptance ${a.id} is ${a.status} (expires ${a.expires}); its findings are open.`),
          `Wrote ${written.length} files to ${path.relative(process.cwd(), outDir) || "."}.`,
          ...(exercises.files.length
            ? [`The earlier package's tabletop exercise (${exercises.files.join(", ")}) answered build ${exercises.buildId} and was replaced with that package: run "evidence tabletop --period ${period.label}" again for this build.`]
            : []),
        ].join("\n"),
    );
    // Last, where it cannot scroll away: the populations that may be incomplete, and what rests on them.
    const gaps = incompleteBox(evaluation);
    if (gaps) process.stderr.write(gaps);
    return 0;
  }, ws.lock);
}
