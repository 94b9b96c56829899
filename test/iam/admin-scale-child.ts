/**
 * Child of admin-scale.test.ts: ingests a workspace through the real CLI, then runs the iam-*
 * rules on its store, and reports the outcomes and this process's peak RSS as one JSON line.
 */
import path from "node:path";
import { main } from "../../src/cli.ts";
import { createRuleContext, runRule } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import iamAgentAdminAbsent from "../../src/rules/iam-agent-admin-absent.ts";
import iamAgentDestructiveRightsAbsent from "../../src/rules/iam-agent-destructive-rights-absent.ts";
import iamAgentEscalationPathsAbsent from "../../src/rules/iam-agent-escalation-paths-absent.ts";
import iamAgentUnusedPermissionsRemoved from "../../src/rules/iam-agent-unused-permissions-removed.ts";
import { openStore } from "../../src/store/index.ts";

const ws = process.argv[2]!;
const code = await main(["ingest", "--config", path.join(ws, "evidence.config.yaml"), "--quiet"]);
const db = openStore(path.join(ws, ".evidence", "evidence.db"));
const ctx = createRuleContext(db, parsePeriod("2026-10"));
const outcomes: Record<string, Record<string, number>> = {};
for (const rule of [iamAgentAdminAbsent, iamAgentDestructiveRightsAbsent, iamAgentEscalationPathsAbsent, iamAgentUnusedPermissionsRemoved]) {
  const run = runRule(rule, ctx, []);
  const byOutcome: Record<string, number> = {};
  for (const r of run.results) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
  outcomes[rule.id] = byOutcome;
}
const rows = db.prepare("SELECT (SELECT count(*) FROM iam_principals) AS principals, (SELECT count(*) FROM iam_statements) AS statements").get();
db.close();
process.stdout.write(JSON.stringify({ code, outcomes, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
