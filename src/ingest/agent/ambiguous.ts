import { classifyToolCall } from "../../classify/action.ts";

/**
 * Records that read two ways. JSON allows an object to repeat a key (RFC 8259 §4: "the names within an
 * object SHOULD be unique", and when they are not "many implementations report the last name/value
 * pair only"): JSON.parse keeps the last, so `{"command":"terraform destroy","command":"ls"}` would be
 * stored as a harmless `ls` while another reader of the same log runs or shows the first. An auditor
 * must not get the harmless reading silently: every reading is produced here, the caller classifies
 * them and keeps the most dangerous, and the action says it was ambiguous.
 */

/** One key repeated within one object: `path` is the keys leading to that object from the root. */
export interface DuplicateKey {
  path: string[];
  key: string;
  values: unknown[];
}

/** Readings beyond this many (a record repeating several keys many times) are not enumerated. */
const MAX_VARIANTS = 32;

/**
 * A gate for `mayRepeatKey` over the given key names. One regex pass: a loop of indexOf per key cost more
 * than JSON.parse of the same line on a 400-byte hook record (2 us against 1.4 us); this costs 0.5 us.
 */
export function keyGate(keys: readonly string[]): RegExp {
  return new RegExp(`"(${keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})"|\\\\u00[2-7][0-9a-fA-F]`, "g");
}

/**
 * Cheap check, run on every line: a duplicate is only possible when one of the gate's key names occurs
 * twice, or when a printable ASCII character is written as a `\u00XX` escape, which would hide a key
 * name from the plain search. JSON.stringify never escapes printable ASCII (ECMA-262
 * QuoteJSONString escapes only control characters, quote, backslash and lone surrogates), so real
 * logs with ANSI colours (`\u001b`) do not trip it.
 */
export function mayRepeatKey(raw: string, gate: RegExp): boolean {
  gate.lastIndex = 0;
  let seen = "";
  for (let m = gate.exec(raw); m !== null; m = gate.exec(raw)) {
    const key = m[1];
    if (key === undefined) return true;
    const tag = `|${key}|`;
    if (seen.includes(tag)) return true;
    seen += tag;
  }
  return false;
}

interface Frame {
  object: boolean;
  /** Keys from the root; null when the frame sits inside an array (not a place a record keeps its fields). */
  path: string[] | null;
  spans: Map<string, [number, number][]> | null;
  key: string | null;
  start: number;
}

/** Index just past the JSON string starting at `i` (its opening quote). */
function stringEnd(raw: string, i: number): number {
  for (let k = i + 1; k < raw.length; k++) {
    const c = raw.charCodeAt(k);
    if (c === 0x5c) k++;
    else if (c === 0x22) return k + 1;
  }
  return raw.length;
}

/** Every key repeated within an object of one valid JSON text, with each of its values in order. Linear. */
export function duplicateKeys(raw: string): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  const endValue = (f: Frame | undefined, at: number): void => {
    if (!f?.object || f.key === null || f.spans === null) return;
    const list = f.spans.get(f.key);
    if (list) list.push([f.start, at]);
    else f.spans.set(f.key, [[f.start, at]]);
    f.key = null;
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(raw, i);
      if (top?.object && top.key === null) top.key = JSON.parse(raw.slice(i, end)) as string;
      i = end;
    } else if (c === "{" || c === "[") {
      const path = top === undefined ? [] : top.object && top.path !== null && top.key !== null ? [...top.path, top.key] : null;
      stack.push({ object: c === "{", path, spans: c === "{" && path !== null ? new Map() : null, key: null, start: -1 });
      i++;
    } else if (c === ":") {
      if (top) top.start = i + 1;
      i++;
    } else if (c === ",") {
      endValue(top, i);
      i++;
    } else if (c === "}" || c === "]") {
      endValue(top, i);
      stack.pop();
      if (top?.spans) {
        for (const [key, spans] of top.spans) {
          if (spans.length > 1) out.push({ path: top.path!, key, values: spans.map(([s, e]) => JSON.parse(raw.slice(s, e)) as unknown) });
        }
      }
      i++;
    } else i++;
  }
  return out.sort((a, b) => a.path.length - b.path.length);
}

function withValue(rec: Record<string, unknown>, path: readonly string[], key: string, value: unknown): Record<string, unknown> {
  const copy = { ...rec };
  if (path.length === 0) {
    copy[key] = value;
    return copy;
  }
  const [head, ...rest] = path as [string, ...string[]];
  const inner = copy[head];
  if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) copy[head] = withValue(inner as Record<string, unknown>, rest, key, value);
  return copy;
}

export interface Readings {
  /** Every reading of the record, the parsed (last key wins) one included. */
  variants: Record<string, unknown>[];
  /** For the action's attrs: which keys repeat and how often. */
  note: string;
}

/** The readings of a record whose raw line repeats a key, or null when it reads one way only. */
export function duplicateKeyReadings(rec: Record<string, unknown>, raw: string, gate: RegExp): Readings | null {
  if (!mayRepeatKey(raw, gate)) return null;
  const dups = duplicateKeys(raw);
  if (dups.length === 0) return null;
  let variants = [rec];
  for (const d of dups) {
    const next: Record<string, unknown>[] = [];
    for (const v of variants) for (const value of d.values) if (next.length < MAX_VARIANTS) next.push(withValue(v, d.path, d.key, value));
    variants = next;
  }
  const what = dups.map((d) => `"${[...d.path, d.key].join(".")}" ${d.values.length} times`).join(", ");
  return { variants, note: `duplicate keys in the record (${what}): classified by its most dangerous reading` };
}

// Higher is more dangerous; the reading an attacker would hide is the one that ranks highest.
const RANK: Record<string, number> = { irreversible: 6, destructive: 5, "privilege-change": 4, "credential-access": 3, network: 2, write: 1 };

export function dangerRank(classes: readonly string[]): number {
  let r = 0;
  for (const c of classes) r = Math.max(r, RANK[c] ?? 0);
  return r;
}

/** Index of the most dangerous reading (the first among equals), by tool name and shell command. */
export function mostDangerous(readings: readonly { tool: string; shell: string | string[] | null }[]): number {
  let best = 0;
  let bestRank = -1;
  readings.forEach((r, k) => {
    const rank = dangerRank(classifyToolCall(r.shell ? "shell" : r.tool, r.shell && r.shell.length > 0 ? r.shell : null).classes);
    if (rank > bestRank) {
      best = k;
      bestRank = rank;
    }
  });
  return best;
}
