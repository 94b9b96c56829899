import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import { InputError } from "../errors.ts";
import { readRegisterList, requireUnique, type ListSpec, type RegisterRow } from "./read.ts";
import {
  Acknowledgement, AiTool, ConfigBaseline, PolicyDocument, riskAcceptanceSchema, Vendor,
  type RiskAcceptance,
} from "./schema.ts";

export type { RegisterRow } from "./read.ts";

/** Every register the workspace configures, validated. An absent key means "not configured". */
export interface Registers {
  aiTools?: RegisterRow<AiTool>[];
  vendors?: RegisterRow<Vendor>[];
  policies?: { documents: RegisterRow<PolicyDocument>[]; acknowledgements: RegisterRow<Acknowledgement>[] };
  configBaselines?: RegisterRow<ConfigBaseline>[];
  riskAcceptances?: RegisterRow<RiskAcceptance>[];
  /** The files read, relative to the workspace, for the manifest and the build id. */
  files: { register: string; path: string; sha256: string; size: number }[];
}

/** CSV cells: `2026-10-01 alice@acme.example: reviewed; 2026-11-01 bob@…: extended`. */
function reviewLogFromCsv(entries: unknown): unknown {
  if (!Array.isArray(entries)) return entries;
  return entries.map((e: string) => {
    const m = /^(\S+)\s+([^:]+):\s*(.+)$/.exec(e);
    return m ? { date: m[1], by: m[2]!.trim(), note: m[3] } : e;
  });
}

const AI_TOOLS: ListSpec<AiTool> = {
  key: "tools",
  schema: AiTool,
  idField: "product",
  csvLists: ["aliases", "environments", "permitted", "prohibited", "confirmFirst", "mcpServers", "compensatingControls",
    "permissionBoundary.permitted", "permissionBoundary.prohibited", "permissionBoundary.confirmFirst"],
  // CSV keeps the boundary in three flat columns; all three empty is a tool with no declared boundary.
  fromCsv: ({ permitted, prohibited, confirmFirst, permissionBoundary, ...rest }) => ({
    ...rest,
    ...(permitted || prohibited || confirmFirst || permissionBoundary
      ? { permissionBoundary: { ...(permissionBoundary as object), ...(permitted ? { permitted } : {}), ...(prohibited ? { prohibited } : {}), ...(confirmFirst ? { confirmFirst } : {}) } }
      : {}),
  }),
};
const VENDORS: ListSpec<Vendor> = { key: "vendors", schema: Vendor, idField: "vendor", csvLists: ["services"] };
const DOCUMENTS: ListSpec<PolicyDocument> = { key: "documents", schema: PolicyDocument, idField: "id" };
const ACKNOWLEDGEMENTS: ListSpec<Acknowledgement> = { key: "acknowledgements", schema: Acknowledgement, idField: "person" };
const BASELINES: ListSpec<ConfigBaseline> = {
  key: "baselines",
  schema: ConfigBaseline,
  idField: "id",
  csvLists: ["includes", "excludes"],
  // A CSV row is one required setting.
  fromCsv: ({ id, product, description, ...requirement }) => ({ id, product, ...(description ? { description } : {}), requirements: [requirement] }),
};
function acceptances(maxAcceptanceDays: number): ListSpec<RiskAcceptance> {
  return {
    key: "acceptances",
    schema: riskAcceptanceSchema(maxAcceptanceDays),
    idField: "id",
    csvLists: ["findings", "controls", "resources", "compensatingControls", "reviewLog"],
    fromCsv: ({ reviewLog, ...rest }) => ({ ...rest, ...(reviewLog ? { reviewLog: reviewLogFromCsv(reviewLog) } : {}) }),
  };
}

/**
 * Reads and validates the registers named in the config. Paths resolve from the config's folder.
 * Any invalid row is an `InputError` (exit 2) naming the file, the row, the line and the field.
 */
export function loadRegisters(config: Pick<Config, "registers"> & { thresholds: Pick<Config["thresholds"], "maxAcceptanceDays"> & Partial<Config["thresholds"]> }, root: string): Registers {
  const names = config.registers;
  const files: Registers["files"] = [];
  const read = <T>(register: string, rel: string, spec: ListSpec<T>): RegisterRow<T>[] => {
    const abs = path.resolve(root, rel);
    const rows = readRegisterList(abs, rel, spec);
    if (!files.some((f) => f.path === rel)) {
      const bytes = readFileSync(abs);
      files.push({ register, path: rel, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length });
    }
    return rows;
  };
  const out: Registers = { files };
  if (names.aiTools) {
    out.aiTools = read("aiTools", names.aiTools, AI_TOOLS);
    requireUnique(out.aiTools, (t) => t.product, "product");
  }
  if (names.vendors) {
    out.vendors = read("vendors", names.vendors, VENDORS);
    requireUnique(out.vendors, (v) => v.vendor, "vendor");
  }
  if (names.policies) {
    const documents = read("policies", names.policies, DOCUMENTS);
    requireUnique(documents, (d) => d.id, "id");
    // Acknowledgements live beside the documents in YAML, or in their own file (a CSV has one list).
    const ackFile = names.acknowledgements ?? (/\.csv$/i.test(names.policies) ? undefined : names.policies);
    const acknowledgements = ackFile ? read("policies", ackFile, ACKNOWLEDGEMENTS) : [];
    for (const a of acknowledgements) {
      if (!documents.some((d) => d.value.id === a.value.document)) {
        throw new InputError(`${a.file}: row ${a.row}, line ${a.line}: document: no document "${a.value.document}" in ${names.policies}`, a.file);
      }
    }
    out.policies = { documents, acknowledgements };
  }
  if (names.configBaselines) out.configBaselines = read("configBaselines", names.configBaselines, BASELINES);
  if (names.riskAcceptances) {
    out.riskAcceptances = read("riskAcceptances", names.riskAcceptances, acceptances(config.thresholds.maxAcceptanceDays));
    requireUnique(out.riskAcceptances, (a) => a.id, "id");
  }
  return out;
}

/** Acceptances must name controls that exist: a typo would silently accept nothing. */
export function checkAcceptanceControls(registers: Registers, controlIds: ReadonlySet<string>): void {
  for (const a of registers.riskAcceptances ?? []) {
    a.value.controls.forEach((id, i) => {
      if (!controlIds.has(id)) throw new InputError(`${a.file}: row ${a.row} (${a.value.id}), line ${a.line}: controls.${i}: unknown control "${id}"`, a.file);
    });
  }
}
