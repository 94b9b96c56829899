import { existsSync } from "node:fs";
import { loadWorkspaceCatalog } from "../catalog/workspace.ts";
import type { StoredResults } from "../history.ts";
import { RULES_BY_ID } from "../rules/index.ts";
import { openStore } from "../store/index.ts";
import { type GlobalOptions, openWorkspace, output } from "./context.ts";

interface LastStatus {
  status: string;
  reason: string | null;
  period: string;
  buildId: string;
}

/** The status each control had in the most recent build of any period, from the builds table. */
function lastStatuses(dbPath: string): Map<string, LastStatus> {
  const last = new Map<string, LastStatus>();
  if (!existsSync(dbPath)) return last;
  const db = openStore(dbPath);
  try {
    const row = db.prepare("SELECT build_id, period, results FROM builds ORDER BY created_seq DESC LIMIT 1").get() as { build_id: string; period: string; results: string } | undefined;
    if (row) {
      for (const c of (JSON.parse(row.results) as StoredResults).controls) last.set(c.id, { status: c.status, reason: c.reason ?? null, period: row.period, buildId: row.build_id });
    }
  } finally {
    db.close();
  }
  return last;
}

/** Lists the workspace's control catalog (package and own controls, after scope), the rules testing each control, and each control's last status. */
export async function controlsCommand(args: GlobalOptions): Promise<number> {
  const ws = openWorkspace(args);
  const { catalog, rules } = loadWorkspaceCatalog(ws.loaded);
  const last = lastStatuses(ws.dbPath);
  const controls = catalog.controls.map((c) => ({
    id: c.id,
    framework: c.framework,
    title: c.title,
    description: c.description,
    ...(c.text ? { text: c.text } : {}),
    frequency: c.frequency,
    related: c.related,
    origin: c.origin,
    manualReason: c.manualReason ?? null,
    attach: c.attach ?? [],
    rules: c.rules.map((id) => {
      const rule = rules.get(id);
      return {
        id, title: rule?.title ?? "(unknown rule)", severity: rule?.severity ?? null, sources: rule?.sources ?? [], registers: rule?.registers ?? [],
        frequency: rule?.frequency ?? null, origin: RULES_BY_ID.has(id) ? "package" : "workspace",
      };
    }),
    lastStatus: last.get(c.id)?.status ?? null,
    lastReason: last.get(c.id)?.reason ?? null,
    lastPeriod: last.get(c.id)?.period ?? null,
    lastBuildId: last.get(c.id)?.buildId ?? null,
  }));
  const notInScope = (catalog.notInScope ?? []).map(({ id, framework, title, reason }) => ({ id, framework, title, reason }));
  output(args, { controls, outOfScope: catalog.outOfScope, notInScope }, () =>
    controls
      .map((c) =>
        [
          `${c.id.padEnd(7)} ${c.title} [${c.framework}]${c.lastStatus ? `  last: ${c.lastStatus} (${c.lastPeriod})` : ""}`,
          ...(c.rules.length
            ? c.rules.map((r) => `          ${r.id} (${r.severity}; needs ${[...r.sources, ...r.registers.map((x) => `register ${x}`)].join(", ") || "nothing"})`)
            : [`          manual: ${c.manualReason}`, ...c.attach.map((a) => `          attach: ${a}`)]),
        ].join("\n"),
      )
      .concat(catalog.outOfScope.length ? [`Out of scope (catalog.scope): ${catalog.outOfScope.join(", ")}`] : [])
      .concat(notInScope.length ? [`Not covered by this tool (${notInScope.length} criteria): ${notInScope.map((n) => n.id).join(", ")}`] : [])
      .join("\n"),
  );
  return 0;
}
