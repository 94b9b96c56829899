import { existsSync } from "node:fs";
import { loadCatalog } from "../catalog/index.ts";
import { RULES_BY_ID } from "../rules/index.ts";
import { openStore } from "../store/index.ts";
import { type GlobalOptions, openWorkspace, output } from "./context.ts";

interface StoredResults {
  controls: { id: string; status: string }[];
}

/** Lists the control catalog, the rules testing each control, and each control's last status. */
export async function controlsCommand(args: GlobalOptions): Promise<number> {
  const ws = openWorkspace(args);
  const catalog = loadCatalog(ws.loaded.config.report.frameworks);
  const last = new Map<string, { status: string; period: string }>();
  if (existsSync(ws.dbPath)) {
    const db = openStore(ws.dbPath);
    try {
      const row = db.prepare("SELECT period, results FROM builds ORDER BY created_seq DESC LIMIT 1").get() as { period: string; results: string } | undefined;
      if (row) for (const c of (JSON.parse(row.results) as StoredResults).controls) last.set(c.id, { status: c.status, period: row.period });
    } finally {
      db.close();
    }
  }
  const controls = catalog.controls.map((c) => ({
    id: c.id,
    framework: c.framework,
    title: c.title,
    description: c.description,
    frequency: c.frequency,
    related: c.related,
    manualReason: c.manualReason ?? null,
    rules: c.rules.map((id) => {
      const rule = RULES_BY_ID.get(id);
      return { id, title: rule?.title ?? "(unknown rule)", severity: rule?.severity ?? null, sources: rule?.sources ?? [] };
    }),
    lastStatus: last.get(c.id)?.status ?? null,
    lastPeriod: last.get(c.id)?.period ?? null,
  }));
  output(args, { controls }, () =>
    controls
      .map((c) =>
        [
          `${c.id.padEnd(7)} ${c.title} [${c.framework}]${c.lastStatus ? `  last: ${c.lastStatus} (${c.lastPeriod})` : ""}`,
          ...(c.rules.length ? c.rules.map((r) => `          ${r.id} (${r.severity}; needs ${r.sources.join(", ")})`) : [`          manual: ${c.manualReason}`]),
        ].join("\n"),
      )
      .join("\n"),
  );
  return 0;
}
