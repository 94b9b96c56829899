import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadRegisters, type Registers } from "../../src/registers/index.ts";
import { loadRegistersIntoStore } from "../../src/registers/store.ts";
import type { Db } from "../../src/store/index.ts";
import { tempDir } from "./workspace.ts";

export type RegisterTexts = Partial<Record<"aiTools" | "vendors" | "policies" | "acknowledgements" | "configBaselines" | "riskAcceptances", string>>;

const FILE_NAMES: Record<keyof RegisterTexts, string> = {
  aiTools: "ai-tools.yaml", vendors: "vendors.yaml", policies: "policies.yaml", acknowledgements: "acknowledgements.yaml",
  configBaselines: "config-baselines.yaml", riskAcceptances: "risk-acceptances.yaml",
};

/**
 * Writes register files into a temp workspace and loads them through the real reader, so tests
 * exercise the same validation a build does. A text whose first line is a CSV header is written as CSV.
 */
export function loadRegisterTexts(texts: RegisterTexts, maxAcceptanceDays = 365): Registers {
  const root = tempDir("evidence-registers-");
  const registers: Record<string, string> = {};
  for (const [name, text] of Object.entries(texts) as [keyof RegisterTexts, string][]) {
    const csv = /^[\w.]+(,[\w.]+)+\n/.test(text);
    const file = csv ? FILE_NAMES[name].replace(/\.yaml$/, ".csv") : FILE_NAMES[name];
    writeFileSync(path.join(root, file), text);
    registers[name] = file;
  }
  return loadRegisters({ registers, thresholds: { minCoverage: 0.8, maxAcceptanceDays } }, root);
}

/** Loads register texts into a store's TEMP register tables, as a build does; returns the registers. */
export function withRegisters(db: Db, texts: RegisterTexts): Registers {
  const registers = loadRegisterTexts(texts);
  loadRegistersIntoStore(db, registers);
  return registers;
}
