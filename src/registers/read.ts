import { readFileSync } from "node:fs";
import { parse as parseCsv } from "csv-parse/sync";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { z } from "zod";
import { InputError } from "../errors.ts";

/** One validated register row and where it sits in its file. */
export interface RegisterRow<T> {
  value: T;
  /** 1-based position in the list (CSV: data row, header excluded). */
  row: number;
  line: number;
  /** The file as named in the config (relative to the workspace). */
  file: string;
  locator: string;
}

export interface ListSpec<T> {
  /** YAML key holding the list; a YAML file may also be a bare list. */
  key: string;
  schema: z.ZodType<T>;
  /** CSV columns whose cells hold `;`-separated lists. */
  csvLists?: readonly string[];
  /** Reshapes a CSV record (dotted headers already nested, lists split) into the YAML row shape. */
  fromCsv?: (record: Record<string, unknown>) => unknown;
  /** The field that identifies a row in messages (`id`, `product`, `vendor`). */
  idField?: string;
}

interface RawRow {
  raw: unknown;
  row: number;
  line: number;
  /** Line of a field, when the format knows it. */
  lineOf(path: readonly PropertyKey[]): number;
}

const MAX_LISTED = 10;

function readText(absFile: string, relFile: string): string {
  try {
    return readFileSync(absFile, "utf8");
  } catch {
    throw new InputError(`${relFile}: register file not found (check the registers section of the config)`, absFile);
  }
}

function yamlRows(text: string, relFile: string, key: string): RawRow[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length) throw new InputError(`${relFile}: not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`, relFile);
  const lineAt = (node: Node | null | undefined, fallback: number) => (node?.range ? lineCounter.linePos(node.range[0]).line : fallback);
  const root = doc.contents;
  // An empty file or a missing key is an empty register, not an error.
  const seq: unknown = isMap(root) ? root.get(key, true) : root;
  if (seq === undefined || seq === null || (isScalar(seq) && seq.value === null)) return [];
  if (!isSeq(seq)) throw new InputError(`${relFile}: ${key}: expected a list of rows`, relFile);
  const rows = (doc.toJS() as Record<string, unknown> | unknown[]) ?? [];
  const list = (Array.isArray(rows) ? rows : (rows[key] as unknown[])) ?? [];
  return seq.items.map((item, i) => {
    const line = lineAt(item as Node, 1);
    return {
      raw: list[i],
      row: i + 1,
      line,
      lineOf(path) {
        let node: unknown = item;
        for (const p of path) {
          if (!(isMap(node) || isSeq(node))) break;
          const next = node.get(p as never, true);
          if (next === undefined) break;
          node = next;
        }
        return lineAt(node as Node, line);
      },
    };
  });
}

/** Nests `a.b` headers into objects and splits list cells on `;`; empty cells are absent, so "required" reads right. */
function csvRecord(record: Record<string, string>, lists: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [header, cell] of Object.entries(record)) {
    if (cell === "") continue;
    const value = lists.includes(header) ? cell.split(";").map((s) => s.trim()).filter(Boolean) : cell;
    const parts = header.split(".");
    let target = out;
    for (const p of parts.slice(0, -1)) target = (target[p] ??= {}) as Record<string, unknown>;
    target[parts.at(-1)!] = value;
  }
  return out;
}

function csvRows(text: string, relFile: string, spec: ListSpec<unknown>): RawRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  } catch (error) {
    throw new InputError(`${relFile}: not valid CSV: ${(error as Error).message}`, relFile);
  }
  return records.map(({ record, info }, i) => {
    // info.lines is the record's last line; a quoted cell may span lines.
    const line = info.lines - Object.values(record).join("").split("\n").length + 1;
    const nested = csvRecord(record, spec.csvLists ?? []);
    return { raw: spec.fromCsv ? spec.fromCsv(nested) : nested, row: i + 1, line, lineOf: () => line };
  });
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) return "is required but missing";
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}

/**
 * Reads one list from a register file (YAML or CSV by extension) and validates every row.
 * Every problem names the file, the row (and its id), the line and the field; all rows are
 * checked so that one run lists every problem (the first ten are shown).
 */
export function readRegisterList<T>(absFile: string, relFile: string, spec: ListSpec<T>): RegisterRow<T>[] {
  const text = readText(absFile, relFile);
  const raws = /\.csv$/i.test(relFile) ? csvRows(text, relFile, spec as ListSpec<unknown>) : yamlRows(text, relFile, spec.key);
  const problems: string[] = [];
  const rows: RegisterRow<T>[] = [];
  for (const r of raws) {
    const result = spec.schema.safeParse(r.raw);
    if (result.success) {
      rows.push({ value: result.data, row: r.row, line: r.line, file: relFile, locator: `row ${r.row} (line ${r.line})` });
      continue;
    }
    const id = spec.idField && r.raw && typeof r.raw === "object" ? (r.raw as Record<string, unknown>)[spec.idField] : undefined;
    for (const issue of result.error.issues) {
      const field = issue.path.length ? issue.path.join(".") : "(row)";
      problems.push(`${relFile}: row ${r.row}${typeof id === "string" || typeof id === "number" ? ` (${id})` : ""}, line ${r.lineOf(issue.path)}: ${field}: ${describe(issue)}`);
    }
  }
  if (problems.length) {
    const more = problems.length > MAX_LISTED ? `\n(and ${problems.length - MAX_LISTED} more problems)` : "";
    throw new InputError(problems.slice(0, MAX_LISTED).join("\n") + more, relFile);
  }
  return rows;
}

/** Rejects a second row with the same key, naming both rows. */
export function requireUnique<T>(rows: RegisterRow<T>[], keyOf: (v: T) => string, field: string): void {
  const seen = new Map<string, RegisterRow<T>>();
  for (const r of rows) {
    const key = keyOf(r.value).toLowerCase();
    const first = seen.get(key);
    if (first) throw new InputError(`${r.file}: row ${r.row}, line ${r.line}: ${field}: duplicate "${keyOf(r.value)}" (first in row ${first.row})`, r.file);
    seen.set(key, r);
  }
}
