import { createHash } from "node:crypto";
import { InputError } from "../errors.ts";
import patternFile from "./patterns.json" with { type: "json" };
import { redosRisk } from "./redos.ts";

// Secret redaction applied to every string before it is stored (agent commands and outputs,
// transcripts, CloudTrail parameters, commit messages). Patterns are data (patterns.json).
//
// Cost: one case-insensitive keyword alternation decides whether a string can hold a secret at
// all; only strings that pass it are lower-cased and run through the regexes whose keywords occur.
// Measured on Node 20 (this dev box, 28 MB of CloudTrail records, hook lines, commit messages and
// compiler output): redact() ~280 MB/s on ordinary lines; ~95-115 MB/s when 14% of lines carry a
// keyword such as "token" or "password" and 2% a secret; redactDeep() ~150 MB/s of JSON.
// Each regex alone runs at 240-1500 MB/s on a candidate line, and every one is written so that
// 1 MB of repeated near-matches takes well under a second (see the test).

/**
 * A secret pattern, as stored in patterns.json or given in the config.
 * `group` is the capture group holding the secret (0 = the whole match). `keywords` are lower-case
 * literals of which at least one must occur in a string before the regex is run on it; a pattern
 * without keywords runs on every string (so user patterns work, at their own cost).
 */
export interface RedactionPattern {
  id: string;
  description: string;
  regex: string;
  flags?: string;
  group?: number;
  keywords?: string[];
  /** Compare `keywords` in their exact case (for a short prefix such as Twilio's "SK" that is common in lower case). */
  matchCase?: boolean;
  source?: string;
}

export interface Redactor {
  /** Returns `text` with each secret replaced by `[REDACTED:<patternId>:<first 8 hex of sha256(secret)>]`. */
  redact(text: string): string;
  /**
   * Returns a redacted copy of a JSON value; keys are kept. Strings inside one object (or one array)
   * are scanned together as `key: value` lines (array items joined by spaces, like argv), so a
   * value under a key such as `DB_PASSWORD` is redacted, and an access key id is redacted when its
   * sibling holds the secret access key.
   */
  redactDeep<T>(value: T): T;
  /**
   * False when `text` cannot hold a secret: no pattern's keyword occurs in it (and every pattern has
   * keywords). A cheap gate: what passes it still has to go through redact or redactDeep.
   */
  mayHoldSecret(text: string): boolean;
  /**
   * The same gate over JSON text, for every key and string inside it at once. Exact as long as no
   * keyword holds a character JSON escapes (quote, backslash, control, lone surrogate): such a
   * keyword makes this always true.
   */
  mayHoldSecretInJson(json: string): boolean;
  /** Per pattern id, how many values were redacted so far. */
  counts(): Record<string, number>;
  total(): number;
}

interface Compiled {
  id: string;
  re: RegExp;
  group: number;
  keywords: string[] | null;
  matchCase: boolean;
}

interface Span {
  start: number;
  end: number;
  /** Index of the pattern, so that on a tie the earlier-listed (more specific) pattern names the span. */
  rank: number;
}

const PLACEHOLDER = /\[REDACTED:[A-Za-z0-9_.-]+:[0-9a-f]{8}\]/g;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ALLOWED_FLAGS = /^[imsuv]*$/;

export function loadDefaultPatterns(): RedactionPattern[] {
  return patternFile.patterns.map((p) => ({ ...p, keywords: [...p.keywords] }));
}

/** The secret-looking names whose {name, value} pairs are redacted (patterns.json secretNames). */
export function loadSecretNames(): typeof patternFile.secretNames {
  return structuredClone(patternFile.secretNames);
}

let defaults: Compiled[] | undefined;

/** `extra` are user patterns from the config; an invalid one throws an InputError naming its id. */
export function createRedactor(extra: RedactionPattern[] = []): Redactor {
  defaults ??= compileAll(loadDefaultPatterns(), new Set(), false);
  const compiled = [...defaults, ...compileAll(extra, new Set(defaults.map((p) => p.id)), true)];
  const prefilter = buildPrefilter(compiled);
  const exactPrefilter = buildPrefilter(compiled, true);
  const passes = (text: string) => prefilter.test(text) || (exactPrefilter !== null && exactPrefilter.test(text));
  const ungated = compiled.some((p) => p.keywords === null);
  const escapedInJson = compiled.some((p) => p.keywords?.some((k) => /["\\\u0000-\u001f\ud800-\udfff]/.test(k)));
  const counts: Record<string, number> = {};
  let total = 0;

  function isCandidate(text: string): boolean {
    return ungated || passes(text);
  }

  /** Finds secret spans in `text`, merged so that they are disjoint and sorted. */
  function scan(text: string): (Span & { id: string })[] {
    const gated = passes(text);
    if (!gated && !ungated) return [];
    const lower = gated ? text.toLowerCase() : "";
    const held = text.includes("[REDACTED:") ? [...text.matchAll(PLACEHOLDER)].map((m) => [m.index, m.index + m[0].length] as const) : [];
    const spans: Span[] = [];
    compiled.forEach((p, rank) => {
      if (p.keywords && !(gated && p.keywords.some((k) => (p.matchCase ? text : lower).includes(k)))) return;
      for (const m of text.matchAll(p.re)) {
        const at: readonly [number, number] | undefined = p.group === 0 ? [m.index, m.index + m[0].length] : m.indices?.[p.group];
        if (!at || at[1] <= at[0]) continue;
        const [start, end] = at;
        // Never touch our own placeholder: this is what makes redaction idempotent.
        if (held.some(([s, e]) => start < e && end > s)) continue;
        spans.push({ start, end, rank });
      }
    });
    return merge(spans).map((s) => ({ ...s, id: compiled[s.rank]!.id }));
  }

  function placeholder(id: string, secret: string): string {
    counts[id] = (counts[id] ?? 0) + 1;
    total++;
    return `[REDACTED:${id}:${createHash("sha256").update(secret).digest("hex").slice(0, 8)}]`;
  }

  function apply(text: string, spans: readonly (Span & { id: string })[], offset = 0): string {
    if (spans.length === 0) return text;
    let out = "";
    let at = 0;
    for (const s of spans) {
      const start = s.start - offset;
      const end = s.end - offset;
      out += text.slice(at, start) + placeholder(s.id, text.slice(start, end));
      at = end;
    }
    return out + text.slice(at);
  }

  function redact(text: string): string {
    return apply(text, scan(text));
  }

  /** Redacts sibling strings together: `labels[i]` (a key, or null in arrays) gives each its context. */
  function redactSiblings(labels: readonly (string | null)[], values: string[]): string[] {
    if (!values.some((v, i) => isCandidate(v) || (labels[i] != null && isCandidate(labels[i]!)))) return values;
    let text = "";
    const ranges: [number, number][] = [];
    values.forEach((v, i) => {
      const label = labels[i];
      if (i > 0) text += label == null ? " " : "\n";
      if (label != null) text += `${label}: `;
      ranges.push([text.length, text.length + v.length]);
      text += v;
    });
    const spans = scan(text);
    return values.map((v, i) => {
      const [vs, ve] = ranges[i]!;
      const inside = spans
        .filter((s) => s.start < ve && s.end > vs)
        .map((s) => ({ ...s, start: Math.max(s.start, vs), end: Math.min(s.end, ve) }));
      return apply(v, inside, vs);
    });
  }

  /** A copy of one array or object with its strings redacted; `nested` lists children still to copy. */
  function shallow(src: Container): Frame {
    if (Array.isArray(src)) {
      const out: unknown[] = [...src];
      const at = src.flatMap((v, i) => (typeof v === "string" ? [i] : []));
      const redacted = redactSiblings(at.map(() => null), at.map((i) => src[i] as string));
      at.forEach((i, j) => (out[i] = redacted[j]));
      return { src, out, nested: src.flatMap((v, i) => (isContainer(v) ? [i] : [])), next: 0 };
    }
    const keys = Object.keys(src);
    const named = namedSecretKey(src);
    const stringKeys = keys.filter((k) => typeof src[k] === "string" && k !== named);
    const redacted = redactSiblings(stringKeys, stringKeys.map((k) => src[k] as string));
    const out: Record<string, unknown> = {};
    let j = 0;
    for (const k of keys) {
      if (k === named) setOwn(out, k, placeholder(secretNames.id, src[k] as string));
      else setOwn(out, k, typeof src[k] === "string" ? redacted[j++] : src[k]);
    }
    return { src, out, nested: keys.filter((k) => isContainer(src[k])), next: 0 };
  }

  /**
   * Whether any string or key anywhere in `root` passes the prefilter. Most records hold no secret:
   * they are then returned as they are, with no copy: 5.4 us per stored agent action against 7.2 us
   * copying it (100,000 actions, 5% with a candidate). Checks every key, not only those of strings,
   * so it never says no where the copying walk would have found something.
   */
  function anyCandidate(root: Container): boolean {
    const stack: Container[] = [root];
    while (stack.length > 0) {
      const value = stack.pop()!;
      if (Array.isArray(value)) {
        for (const v of value) {
          if (typeof v === "string") {
            if (passes(v)) return true;
          } else if (isContainer(v)) stack.push(v);
        }
        continue;
      }
      for (const k in value) {
        if (!Object.hasOwn(value, k)) continue;
        if (passes(k)) return true;
        const v = value[k];
        if (typeof v === "string") {
          if (passes(v)) return true;
        } else if (isContainer(v)) stack.push(v);
      }
    }
    return false;
  }

  /** Iterative, so a hostile record nested 100 000 levels deep cannot overflow the stack. */
  function deep(value: unknown): unknown {
    if (typeof value === "string") return redact(value);
    if (!isContainer(value)) return value;
    if (!ungated && !anyCandidate(value)) return value;
    const root = shallow(value);
    const stack = [root];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next === frame.nested.length) {
        stack.pop();
        continue;
      }
      const key = frame.nested[frame.next++]!;
      const child = shallow((frame.src as Record<string | number, unknown>)[key] as Container);
      setOwn(frame.out as Record<string | number, unknown>, key, child.out);
      stack.push(child);
    }
    return root.out;
  }

  return {
    redact,
    redactDeep: <T>(value: T) => deep(value) as T,
    mayHoldSecret: isCandidate,
    mayHoldSecretInJson: (json) => escapedInJson || isCandidate(json),
    counts: () => ({ ...counts }),
    total: () => total,
  };
}

type Container = unknown[] | Record<string, unknown>;

interface Frame {
  src: Container;
  out: Container;
  nested: (string | number)[];
  next: number;
}

/** Arrays and plain objects are walked; anything else (Date, Buffer, class instances) is kept as is. */
function isContainer(value: unknown): value is Container {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** defineProperty, not assignment, so that a "__proto__" key from JSON.parse stays an own key. */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Overlapping spans become one (a leak of the non-overlapping tail would defeat the point). */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * `checkRedos` for user patterns: the built-in ones are held to linear time by the 1 MB near-match
 * test instead (some use nested repeats that are safe because of what separates them).
 */
function compileAll(patterns: RedactionPattern[], taken: Set<string>, checkRedos: boolean): Compiled[] {
  return patterns.map((p) => {
    const name = typeof p?.id === "string" && p.id ? p.id : "(no id)";
    const fail = (why: string) => new InputError(`redaction pattern "${name}": ${why}`);
    if (!ID.test(name)) throw fail("id must be letters, digits, '.', '_' or '-'");
    if (taken.has(name)) throw fail("id is already used by another pattern");
    taken.add(name);
    if (typeof p.regex !== "string" || p.regex === "") throw fail("regex must be a non-empty string");
    const flags = p.flags ?? "";
    if (!ALLOWED_FLAGS.test(flags)) throw fail(`flags "${flags}" not allowed (use i, m, s, u or v)`);
    let re: RegExp;
    try {
      re = new RegExp(p.regex, `${flags}gd`);
    } catch (error) {
      throw fail(`invalid regex: ${(error as Error).message}`);
    }
    const groups = new RegExp(`${p.regex}|`, flags).exec("")!.length - 1;
    const group = p.group ?? 0;
    if (!Number.isInteger(group) || group < 0 || group > groups) throw fail(`group ${group} does not exist (the regex has ${groups})`);
    if (re.test("")) throw fail("regex matches the empty string");
    const risk = checkRedos ? redosRisk(p.regex, flags) : null;
    if (risk) throw fail(`regex can take exponential or polynomial time: ${risk}`);
    const matchCase = p.matchCase === true;
    const keywords = p.keywords?.length ? p.keywords.map((k) => (matchCase ? k : k.toLowerCase())) : null;
    return { id: name, re, group, keywords, matchCase };
  });
}

/**
 * One case-insensitive alternation of every keyword (and of the secret-name words, see
 * namedSecretKey): most strings fail it and cost one scan. With `exact`, the alternation of the
 * keywords compared in their own case, or null when there are none.
 */
function buildPrefilter(patterns: Compiled[], exact: true): RegExp | null;
function buildPrefilter(patterns: Compiled[]): RegExp;
function buildPrefilter(patterns: Compiled[], exact = false): RegExp | null {
  const own = patterns.filter((p) => p.matchCase === exact).flatMap((p) => p.keywords ?? []);
  // A keyword that contains another ("secret_key" holds "secret") adds nothing to "any occurs": the
  // shorter one already lets the string through. Dropping them keeps the alternation short, which
  // is what the scan of every string costs.
  const kept: string[] = [];
  for (const w of [...new Set(exact ? own : [...own, ...secretNameKeywords()])].sort((a, b) => a.length - b.length || (a < b ? -1 : 1))) {
    if (!kept.some((k) => (exact ? w.includes(k) : w.toLowerCase().includes(k.toLowerCase())))) kept.push(w);
  }
  const words = kept.sort((a, b) => b.length - a.length);
  if (exact && words.length === 0) return null;
  return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), exact ? "" : "i");
}

const secretNames = patternFile.secretNames;
const SECRET_WORDS = new Set(secretNames.words);
const SECRET_PAIRS = new Set(secretNames.pairs);
const NOT_PAIRS = new Set(secretNames.notPairs);
const NOT_LAST = new Set(secretNames.notLast);
const NOT_NAMES = new Set(secretNames.notNames);
const REFERENCE_TYPES = new Set(secretNames.referenceTypes);
const PAIR_NAME_KEYS = secretNames.nameKeys;
const PAIR_VALUE_KEYS = secretNames.valueKeys;
/** A value that is empty, masked, a reference ($VAR, {{ }}, <placeholder>) or already our placeholder. */
const NOT_A_VALUE = /^(?:$|\$|%[A-Za-z_]|<[^>]*>$|\{\{|\*{3,}|HIDDEN_DUE_TO_SECURITY_REASONS$|\[REDACTED:[A-Za-z0-9_.-]+:[0-9a-f]{8}\]$)/;

/** What the keyword gate must let through for namedSecretKey to see a secret-looking name. */
function secretNameKeywords(): string[] {
  return [...secretNames.words, ...secretNames.pairs.flatMap((p) => ["", "_", "-", "."].map((sep) => p.replace(" ", sep)))];
}

/** `dbPassword`, `DB_PASSWORD`, `db-password` -> ["db", "password"]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a variable or parameter name says its value is a secret (patterns.json secretNames). */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0 || NOT_NAMES.has(words.join("_")) || NOT_LAST.has(words[words.length - 1]!)) return false;
  const pairs = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  if (pairs.some((p) => NOT_PAIRS.has(p))) return false;
  return words.some((w) => SECRET_WORDS.has(w)) || pairs.some((p) => SECRET_PAIRS.has(p));
}

/**
 * In a {name, value} object (ECS environment, CodeBuild environmentVariables, SSM parameters), the
 * key of the value to redact whole when the name looks secret; null otherwise. The name is in one
 * field and the value in another, so no `NAME=value` pattern can see them together.
 */
function namedSecretKey(obj: Record<string, unknown>): string | null {
  const nameKey = PAIR_NAME_KEYS.find((k) => typeof obj[k] === "string");
  const valueKey = PAIR_VALUE_KEYS.find((k) => typeof obj[k] === "string");
  if (nameKey === undefined || valueKey === undefined || NOT_A_VALUE.test(obj[valueKey] as string)) return null;
  const type = obj.type ?? obj.Type;
  if (typeof type === "string" && REFERENCE_TYPES.has(type.toUpperCase())) return null;
  return isSecretName(obj[nameKey] as string) ? valueKey : null;
}
