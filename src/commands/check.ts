import { ExitCode, InputError } from "../errors.ts";
import { parsePeriod } from "../period.ts";
import { openStore } from "../store/index.ts";
import type { Coverage } from "../evaluate.ts";
import { type GlobalOptions, openWorkspace, output } from "./context.ts";

export interface CheckArgs extends GlobalOptions {
  period: string;
  minCoverage?: number | undefined;
}

/**
 * The CI gate, reading the stored build for the period (the same results the PDF shows, never a
 * re-judgement). Baselines, fail-on levels and JUnit/SARIF output build on this.
 */
export async function checkCommand(args: CheckArgs): Promise<number> {
  const ws = openWorkspace(args);
  const period = parsePeriod(args.period, ws.loaded.config.report.timezone);
  const db = openStore(ws.dbPath);
  try {
    const row = db.prepare("SELECT build_id, results FROM builds WHERE period = ? ORDER BY created_seq DESC LIMIT 1").get(period.label) as
      | { build_id: string; results: string }
      | undefined;
    if (!row) throw new InputError(`no build for ${period.label} in ${ws.dbPath}; run "evidence build --period ${period.label}" first`);
    const results = JSON.parse(row.results) as { coverage: { overall: Coverage } };
    const min = args.minCoverage ?? ws.loaded.config.thresholds.minCoverage;
    const actual = results.coverage.overall.ratio;
    const failed = actual < min;
    const reasons = failed ? [`coverage ${(actual * 100).toFixed(1)}% is under the minimum ${(min * 100).toFixed(1)}%`] : [];
    output(args, { buildId: row.build_id, period: period.label, coverage: actual, minCoverage: min, passed: !failed, reasons }, () =>
      failed ? `FAIL ${reasons.join("; ")}` : `PASS coverage ${(actual * 100).toFixed(1)}% (minimum ${(min * 100).toFixed(1)}%)`,
    );
    return failed ? ExitCode.checkFailed : ExitCode.ok;
  } finally {
    db.close();
  }
}
