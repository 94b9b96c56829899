import { safeFileName } from "./atomic-dir.ts";
import type { ReportModel } from "./model.ts";

/**
 * queries/<rule>.sql: the full query behind each test's population, with the period's bounds as
 * parameters, so an auditor with sqlite3 and the store (build --include-store) can re-run it.
 */
export function queryFiles(model: ReportModel): { path: string; content: string }[] {
  return model.evaluation.rules
    .filter((r) => r.population)
    .map((r) => ({
      path: `queries/${safeFileName(r.id)}.sql`,
      content:
        `-- ${r.id}: ${r.population!.description}\n` +
        `-- Population of ${r.population!.size} in ${model.meta.period}. Parameters: :start = '${model.meta.periodStart}', :end = '${model.meta.periodEnd}'.\n` +
        `-- In the sqlite3 shell: .parameter set :start '${model.meta.periodStart}' and .parameter set :end '${model.meta.periodEnd}'.\n` +
        `${r.population!.query.trim()}${r.population!.query.trim().endsWith(";") ? "" : ";"}\n`,
    }));
}
