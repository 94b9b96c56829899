import type { Evaluation } from "../../evaluate.ts";
import type { Period } from "../../period.ts";
import type { Db } from "../../store/index.ts";
import type { ReportMeta, ReportModel, ReportScope } from "../model.ts";
import { collectReportData } from "./activity.ts";
import { collectCompensating } from "./compensating.ts";
import { collectPackageData } from "./package-data.ts";

/**
 * The one place the report's data comes from: every query the package's statements rest on runs
 * here, once, over the store and the evaluation. Renderers (PDF sections, CSVs, memos, OSCAL,
 * SARIF, JUnit, Markdown) are functions of the model this returns; only the population CSVs and
 * the samples drawn from rule items are streamed apart, by report/index.ts.
 */
export function collectReport(
  db: Db, period: Period, evaluation: Evaluation, scope: ReportScope, meta: ReportMeta, workspaceFiles: { path: string; sha256: string }[] = [],
): ReportModel {
  return {
    meta,
    compensating: collectCompensating(evaluation),
    workspaceFiles,
    scope,
    evaluation,
    ...collectReportData(db, period, evaluation),
    package: collectPackageData(db, period, evaluation, scope),
  };
}
