import type { Db } from "../store/index.ts";
import type { RegisterRow, Registers } from "./index.ts";

/**
 * Registers reach rules as TEMP tables on the build's connection: rules (and users' SQL rules)
 * join them with the evidence in SQL, while the persistent store holds only ingested evidence, so
 * a register edit never needs a migration or leaves stale rows behind. Lists are JSON arrays
 * (query them with json_each); a tool without a declared permission boundary has NULL permitted, prohibited and confirm_first. `registers` lists the configured registers; a configured but empty
 * register is evidence too ("no tool is inventoried").
 */
const TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS registers (name TEXT PRIMARY KEY, file TEXT NOT NULL, rows INTEGER NOT NULL);
  CREATE TEMP TABLE IF NOT EXISTS register_ai_tools (register TEXT, row INTEGER, file TEXT, locator TEXT, product TEXT, name TEXT, aliases TEXT,
    vendor TEXT, owner TEXT, environments TEXT, permitted TEXT, prohibited TEXT, confirm_first TEXT, mcp_servers TEXT, compensating_controls TEXT);
  CREATE TEMP TABLE IF NOT EXISTS register_vendors (register TEXT, row INTEGER, file TEXT, locator TEXT, vendor TEXT, tier TEXT, services TEXT,
    last_assessed TEXT, next_due TEXT, owner TEXT);
  CREATE TEMP TABLE IF NOT EXISTS register_documents (register TEXT, row INTEGER, file TEXT, locator TEXT, doc_id TEXT, title TEXT, type TEXT,
    version TEXT, owner TEXT, reviewed TEXT, next_review TEXT);
  CREATE TEMP TABLE IF NOT EXISTS register_acknowledgements (register TEXT, row INTEGER, file TEXT, locator TEXT, document TEXT, version TEXT,
    person TEXT, acknowledged TEXT);
  CREATE TEMP TABLE IF NOT EXISTS register_config_baselines (register TEXT, row INTEGER, file TEXT, locator TEXT, baseline TEXT, product TEXT,
    setting TEXT, equals TEXT, not_equals TEXT, includes TEXT, excludes TEXT, rationale TEXT);
`;
const CLEAR = ["registers", "register_ai_tools", "register_vendors", "register_documents", "register_acknowledgements", "register_config_baselines"];

const fileOf = (registers: Registers, name: string) => registers.files.find((f) => f.register === name)?.path ?? "";
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

function insert<T>(db: Db, table: string, register: string, rows: RegisterRow<T>[], columns: string[], values: (v: T) => unknown[]): void {
  const stmt = db.prepare(`INSERT INTO temp.${table} (register, row, file, locator, ${columns.join(", ")}) VALUES (${Array(columns.length + 4).fill("?").join(", ")})`);
  for (const r of rows) stmt.run(register, r.row, r.file, r.locator, ...values(r.value));
}

/** Replaces the TEMP register tables on this connection with `registers`. */
export function loadRegistersIntoStore(db: Db, registers: Registers): void {
  db.exec(TABLES);
  db.transaction(() => {
    for (const t of CLEAR) db.exec(`DELETE FROM temp.${t}`);
    const mark = db.prepare("INSERT INTO temp.registers (name, file, rows) VALUES (?, ?, ?)");
    if (registers.aiTools) {
      mark.run("aiTools", fileOf(registers, "aiTools"), registers.aiTools.length);
      insert(db, "register_ai_tools", "aiTools", registers.aiTools,
        ["product", "name", "aliases", "vendor", "owner", "environments", "permitted", "prohibited", "confirm_first", "mcp_servers", "compensating_controls"],
        (t) => [t.product, t.name ?? null, json(t.aliases), t.vendor ?? null, t.owner, json(t.environments), json(t.permissionBoundary?.permitted),
          json(t.permissionBoundary?.prohibited), json(t.permissionBoundary?.confirmFirst), json(t.mcpServers), json(t.compensatingControls)]);
    }
    if (registers.vendors) {
      mark.run("vendors", fileOf(registers, "vendors"), registers.vendors.length);
      insert(db, "register_vendors", "vendors", registers.vendors, ["vendor", "tier", "services", "last_assessed", "next_due", "owner"],
        (v) => [v.vendor, v.tier, json(v.services), v.lastAssessed ?? null, v.nextDue, v.owner ?? null]);
    }
    if (registers.policies) {
      const { documents, acknowledgements } = registers.policies;
      mark.run("policies", fileOf(registers, "policies"), documents.length + acknowledgements.length);
      insert(db, "register_documents", "policies", documents, ["doc_id", "title", "type", "version", "owner", "reviewed", "next_review"],
        (d) => [d.id, d.title, d.type, d.version, d.owner, d.reviewed, d.nextReview]);
      // E-mails are compared case-insensitively everywhere; store them lower-case once.
      insert(db, "register_acknowledgements", "policies", acknowledgements, ["document", "version", "person", "acknowledged"],
        (a) => [a.document, a.version, a.person.toLowerCase(), a.acknowledged]);
    }
    if (registers.configBaselines) {
      mark.run("configBaselines", fileOf(registers, "configBaselines"), registers.configBaselines.length);
      const flat = registers.configBaselines.flatMap((b) => b.value.requirements.map((req) => ({ ...b, value: { baseline: b.value, req } })));
      insert(db, "register_config_baselines", "configBaselines", flat, ["baseline", "product", "setting", "equals", "not_equals", "includes", "excludes", "rationale"],
        ({ baseline, req }) => [baseline.id, baseline.product, req.setting, json(req.equals), json(req.notEquals), json(req.includes), json(req.excludes), req.rationale ?? null]);
    }
  })();
}
