import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { baselineOf, formatBaseline } from "../check/baseline.ts";
import { InputError } from "../errors.ts";
import { latestBuild, type StoredBuild } from "../history.ts";
import { parsePeriod } from "../period.ts";
import { openStore } from "../store/index.ts";
import { storedBuildFor } from "./check.ts";
import { type GlobalOptions, openWorkspace, output, type Workspace } from "./context.ts";

export interface BaselineWriteArgs extends GlobalOptions {
  period?: string | undefined;
  out?: string | undefined;
}

/** The most recent build of any period, when no period is named. */
function latestOfAnyPeriod(ws: Workspace): StoredBuild {
  const hint = `run "evidence build --period P" first`;
  if (!existsSync(ws.dbPath)) throw new InputError(`no evidence store at ${ws.dbPath}; ${hint}`, ws.dbPath);
  const db = openStore(ws.dbPath);
  try {
    const row = db.prepare("SELECT period FROM builds ORDER BY created_seq DESC LIMIT 1").get() as { period: string } | undefined;
    const build = row && latestBuild(db, row.period);
    if (!build) throw new InputError(`no build in ${ws.dbPath}; ${hint}`, ws.dbPath);
    return build;
  } finally {
    db.close();
  }
}

/** Writes the stored build's results as a baseline file, to be committed and reviewed; `check --baseline FILE` reads it. */
export async function baselineWriteCommand(args: BaselineWriteArgs): Promise<number> {
  const ws = openWorkspace(args);
  const build = args.period ? storedBuildFor(ws, parsePeriod(args.period, ws.loaded.config.report.timezone)) : latestOfAnyPeriod(ws);
  const baseline = baselineOf(build);
  // Beside the config by default: the baseline belongs to the workspace and is committed with it.
  const out = path.resolve(args.out ?? path.join(ws.loaded.root, "baseline.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, formatBaseline(baseline));
  output(args, { file: out, period: baseline.period, buildId: baseline.buildId, controls: baseline.controls.length, findings: baseline.findings.length }, () =>
    `Wrote baseline ${path.relative(process.cwd(), out) || out} from build ${baseline.buildId} (${baseline.period}): ${baseline.controls.length} controls, ${baseline.findings.length} findings, coverage ${baseline.coverage.overall.tested}/${baseline.coverage.overall.inScope}.`,
  );
  return 0;
}
