// Loads src/classify/command-patterns.json, validates it with zod (a typo in the data fails at import,
// not silently at match time), and compiles every alternative list into a matcher once.
import { z } from "zod";
import raw from "./command-patterns.json" with { type: "json" };

export const ActionClass = z.enum([
  "read",
  "write",
  "execute",
  "network",
  "credential-access",
  "destructive",
  "irreversible",
  "privilege-change",
]);
export type ActionClass = z.infer<typeof ActionClass>;

const Alternatives = z.array(z.string()).min(1);
const Classes = z.array(ActionClass).min(1);
const OneOrMany = z.union([z.string(), Alternatives]);

const PatternSchema = z.strictObject({
  id: z.string(),
  command: OneOrMany,
  path: z.array(OneOrMany).optional(),
  anyPositional: Alternatives.optional(),
  flags: z.array(Alternatives).optional(),
  none: Alternatives.optional(),
  maxArgs: z.number().int().optional(),
  classes: Classes,
  source: z.string(),
});

const WrapperSchema = z.strictObject({
  id: z.string(),
  commands: Alternatives,
  optsWithValue: z.array(z.string()).default([]),
  assignments: z.boolean().optional(),
  positionals: z.number().int().optional(),
  requires: Alternatives.optional(),
  stopFlags: Alternatives.optional(),
  /** The wrapper adds operands of its own to the command (xargs appends what it reads from stdin). */
  appendsArguments: z.boolean().optional(),
  classes: Classes.optional(),
  source: z.string(),
});

/** Languages of inline code (`python -c`, `node -e`, …): read for shell calls and destructive library calls. */
export const CodeLang = z.enum(["python", "javascript", "ruby", "perl", "php"]);
export type CodeLang = z.infer<typeof CodeLang>;
const StatementLang = z.union([z.enum(["sql", "mongo", "redis"]), CodeLang]);
export type StatementLang = z.infer<typeof StatementLang>;

const InterpreterSchema = z.strictObject({
  id: z.string(),
  commands: Alternatives,
  path: Alternatives.optional(),
  lang: z.union([z.enum(["shell", "sql", "mongo", "redis", "argv"]), CodeLang]),
  transparent: z.boolean().optional(),
  optsWithValue: z.array(z.string()).default([]),
  scriptOptions: Alternatives.optional(),
  scriptFlagLetter: z.string().length(1).optional(),
  scriptPositional: z.number().int().optional(),
  restFromPositional: z.number().int().optional(),
  argvFromPositional: z.number().int().optional(),
  afterDoubleDash: z.boolean().optional(),
  execBetween: z.strictObject({ start: Alternatives, end: Alternatives }).optional(),
  stdin: z.boolean().optional(),
  stdinMaxPositionals: z.number().int().default(0),
  /** Options after which stdin is data, not the program (python -m MODULE runs the module). */
  stdinIsDataWith: Alternatives.optional(),
  source: z.string(),
});

const PatternFile = z.strictObject({
  $comment: z.string(),
  commands: z.record(
    z.string(),
    z.strictObject({ globalOptsWithValue: z.array(z.string()), singleDashLong: z.boolean().optional(), source: z.string() }),
  ),
  wrappers: z.array(WrapperSchema),
  interpreters: z.array(InterpreterSchema),
  stdinProducers: z.strictObject({ $comment: z.string(), args: Alternatives, heredoc: Alternatives }),
  pipelines: z.array(
    z.strictObject({
      id: z.string(),
      fromClass: ActionClass,
      toCommands: Alternatives,
      scriptOptions: Alternatives,
      classes: Classes,
      source: z.string(),
    }),
  ),
  modifiers: z.array(
    z.strictObject({ id: z.string(), any: Alternatives, suppresses: Classes, classes: Classes, source: z.string() }),
  ),
  redirects: z.array(
    z.strictObject({
      id: z.string(),
      ops: Alternatives,
      targets: Alternatives,
      except: Alternatives.optional(),
      classes: Classes,
      source: z.string(),
    }),
  ),
  code: z.array(
    z.strictObject({
      id: z.string(),
      lang: CodeLang,
      /** Matches a call that runs a shell command, up to its argument list. */
      calls: z.string(),
      /** `cmd` runs cmd through the shell. */
      backticks: z.boolean().optional(),
      /** Quote-like operators that run a shell command: qx(…), %x{…}. */
      quoteOps: z.array(z.string()).optional(),
      source: z.string(),
    }),
  ),
  statements: z.array(
    z.strictObject({
      id: z.string(),
      lang: StatementLang,
      regex: z.string(),
      classes: Classes,
      source: z.string(),
    }),
  ),
  patterns: z.array(PatternSchema),
});

/**
 * A compiled list of argument alternatives. An alternative is matched exactly, as a glob when it holds
 * `*` or `?`, or, when it is a single short option like `-f`, as a letter inside a cluster such as `-rf`.
 */
export interface ArgMatcher {
  exact: ReadonlySet<string>;
  /** Globs that compile to a regex V8 runs in linear time, as one alternation (the fast path). */
  linear: RegExp | null;
  /** The other globs, matched piece by piece (see Glob). */
  globs: readonly Glob[];
  /**
   * A literal each of `globs` requires (its first piece without `?`), as one alternation: a word holding
   * none of them matches none of the globs, and most words hold none (a `$`, a `.ssh/`).
   */
  globGate: RegExp | null;
  letters: string;
}

/**
 * A glob split on `*`: `head` starts the word, `tail` ends it, and the `middle` pieces occur in order
 * between them; without any `*` the word is exactly `head`. Matched by leftmost search, piece by piece,
 * which is linear in the word: the regex form (`\$.*SECRET` searched anywhere) backtracked over every `$`
 * of a nested `$(…)` line, quadratic time. Pieces may hold `?` (any one character).
 */
export interface Glob {
  head: string;
  middle: string[];
  tail: string;
  starred: boolean;
}

const CLUSTER = /^-[A-Za-z0-9]+$/;

export function compileAlternatives(alts: readonly string[]): ArgMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  const linear: string[] = [];
  let letters = "";
  for (const a of alts) {
    if (a.includes("*") || a.includes("?")) {
      if (isLinearAsRegex(a)) linear.push(globRegex(a));
      else globs.push(compileGlob(a));
    }
    else {
      exact.add(a);
      if (/^-[A-Za-z0-9]$/.test(a)) letters += a[1];
    }
  }
  const required = globs.map((g) => [g.head, ...g.middle, g.tail].find((p) => p !== "" && !p.includes("?")));
  const globGate = globs.length && required.every((r) => r !== undefined) ? new RegExp([...new Set(required)].map((r) => escapeRegex(r!)).join("|")) : null;
  return { exact, linear: linear.length ? new RegExp(linear.join("|"), "s") : null, globs, globGate, letters };
}

/**
 * A glob whose regex cannot backtrack quadratically: anchored at the start with at most one `*` inside
 * (`^a.*b$` tries one start and backtracks once), or unanchored with none inside (`*x*` is a plain search
 * for x, `*x` a search for x at the end). `*$*SECRET*` (`\$.*SECRET` from every `$`) is not.
 */
function isLinearAsRegex(glob: string): boolean {
  const inner = glob.replace(/^\*+/, "").replace(/\*+$/, "");
  const innerStars = inner.split("*").length - 1;
  return glob.startsWith("*") ? innerStars === 0 : innerStars <= 1;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// `*x*` is compiled to a plain search for x rather than ^.*x.*$: the same language, without the
// backtracking that made the secret-path globs the hottest code in a profile.
function globRegex(glob: string): string {
  const head = glob.startsWith("*") ? "" : "^";
  const tail = glob.endsWith("*") && glob.length > 1 ? "" : "$";
  const body = glob.replace(/^\*+/, "").replace(/\*+$/, "");
  return `(?:${head}${body.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}${tail})`;
}

export function compileGlob(glob: string): Glob {
  const parts = glob.split("*");
  if (parts.length === 1) return { head: glob, middle: [], tail: "", starred: false };
  return { head: parts[0]!, middle: parts.slice(1, -1).filter((p) => p !== ""), tail: parts[parts.length - 1]!, starred: true };
}

function pieceAt(word: string, at: number, piece: string): boolean {
  if (at + piece.length > word.length) return false;
  for (let k = 0; k < piece.length; k++) {
    const c = piece.charCodeAt(k);
    if (c !== 63 /* ? */ && c !== word.charCodeAt(at + k)) return false;
  }
  return true;
}

/** Leftmost index >= from where piece occurs, or -1. Pieces are short data strings. */
function findPiece(word: string, piece: string, from: number): number {
  if (!piece.includes("?")) return word.indexOf(piece, from);
  for (let at = from; at + piece.length <= word.length; at++) if (pieceAt(word, at, piece)) return at;
  return -1;
}

export function globMatches(g: Glob, word: string): boolean {
  if (!g.starred) return word.length === g.head.length && pieceAt(word, 0, g.head);
  if (!pieceAt(word, 0, g.head)) return false;
  let at = g.head.length;
  for (const piece of g.middle) {
    const found = findPiece(word, piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  const tailAt = word.length - g.tail.length;
  return tailAt >= at && pieceAt(word, tailAt, g.tail);
}

export function matchArg(m: ArgMatcher, arg: string, clusters: boolean): boolean {
  if (m.exact.has(arg)) return true;
  if (m.linear !== null && m.linear.test(arg)) return true;
  if (m.globs.length > 0 && (m.globGate === null || m.globGate.test(arg))) for (const g of m.globs) if (globMatches(g, arg)) return true;
  if (clusters && m.letters.length > 0 && arg.length > 2 && CLUSTER.test(arg)) {
    for (let k = 0; k < m.letters.length; k++) if (arg.includes(m.letters[k]!, 1)) return true;
  }
  return false;
}

export function matchAny(m: ArgMatcher, args: readonly string[], from: number, clusters: boolean): boolean {
  for (let k = from; k < args.length; k++) if (matchArg(m, args[k]!, clusters)) return true;
  return false;
}

export interface CompiledPattern {
  id: string;
  classes: readonly ActionClass[];
  path: ArgMatcher[];
  anyPositional: ArgMatcher | null;
  flags: ArgMatcher[];
  none: ArgMatcher | null;
  maxArgs: number | null;
}

export interface CommandOptions {
  globalOptsWithValue: ReadonlySet<string>;
  clusters: boolean;
}

export type Wrapper = z.infer<typeof WrapperSchema> & { optSet: ReadonlySet<string> };
export type Interpreter = z.infer<typeof InterpreterSchema> & {
  optSet: ReadonlySet<string>;
  scriptOptSet: ReadonlySet<string>;
};

export interface CompiledPatterns {
  byCommand: ReadonlyMap<string, CompiledPattern[]>;
  /** Patterns whose command is a glob (`mkfs.*`, or `*` for every command). */
  byGlob: { glob: Glob; pattern: CompiledPattern }[];
  options: ReadonlyMap<string, CommandOptions>;
  wrappers: ReadonlyMap<string, Wrapper>;
  interpreters: ReadonlyMap<string, Interpreter[]>;
  producers: { args: ReadonlySet<string>; heredoc: ReadonlySet<string> };
  pipelines: { id: string; fromClass: ActionClass; to: ReadonlySet<string>; scriptOptions: ArgMatcher; classes: ActionClass[] }[];
  modifiers: { id: string; any: ArgMatcher; suppresses: ReadonlySet<ActionClass>; classes: ActionClass[] }[];
  redirects: { id: string; ops: ReadonlySet<string>; targets: ArgMatcher; except: ArgMatcher | null; classes: ActionClass[] }[];
  statements: { id: string; lang: StatementLang; re: RegExp; classes: ActionClass[] }[];
  code: ReadonlyMap<CodeLang, { id: string; calls: RegExp; backticks: boolean; quoteOps: readonly string[] }>;
}

const DEFAULT_OPTIONS: CommandOptions = { globalOptsWithValue: new Set(), clusters: true };

export function optionsFor(p: CompiledPatterns, command: string): CommandOptions {
  return p.options.get(command) ?? DEFAULT_OPTIONS;
}

function toList(v: string | string[]): string[] {
  return typeof v === "string" ? [v] : v;
}

export function compilePatterns(input: unknown): CompiledPatterns {
  const file = PatternFile.parse(input);
  const ids = new Set<string>();
  const checkId = (id: string): void => {
    if (ids.has(id)) throw new Error(`command-patterns.json: duplicate id ${id}`);
    ids.add(id);
  };

  const byCommand = new Map<string, CompiledPattern[]>();
  const byGlob: CompiledPatterns["byGlob"] = [];
  for (const p of file.patterns) {
    checkId(p.id);
    const compiled: CompiledPattern = {
      id: p.id,
      classes: p.classes,
      path: (p.path ?? []).map((e) => compileAlternatives(toList(e))),
      anyPositional: p.anyPositional ? compileAlternatives(p.anyPositional) : null,
      flags: (p.flags ?? []).map(compileAlternatives),
      none: p.none ? compileAlternatives(p.none) : null,
      maxArgs: p.maxArgs ?? null,
    };
    for (const c of toList(p.command)) {
      if (c.includes("*")) byGlob.push({ glob: compileGlob(c), pattern: compiled });
      else byCommand.set(c, [...(byCommand.get(c) ?? []), compiled]);
    }
  }

  const options = new Map<string, CommandOptions>();
  for (const [name, o] of Object.entries(file.commands)) {
    options.set(name, { globalOptsWithValue: new Set(o.globalOptsWithValue), clusters: !o.singleDashLong });
  }

  const wrappers = new Map<string, Wrapper>();
  for (const w of file.wrappers) {
    checkId(w.id);
    for (const c of w.commands) wrappers.set(c, { ...w, optSet: new Set(w.optsWithValue) });
  }

  const interpreters = new Map<string, Interpreter[]>();
  for (const it of file.interpreters) {
    checkId(it.id);
    const compiled = { ...it, optSet: new Set(it.optsWithValue), scriptOptSet: new Set(it.scriptOptions ?? []) };
    for (const c of it.commands) interpreters.set(c, [...(interpreters.get(c) ?? []), compiled]);
  }

  for (const x of [...file.pipelines, ...file.modifiers, ...file.redirects, ...file.statements, ...file.code]) checkId(x.id);

  return {
    byCommand,
    byGlob,
    options,
    wrappers,
    interpreters,
    producers: { args: new Set(file.stdinProducers.args), heredoc: new Set(file.stdinProducers.heredoc) },
    pipelines: file.pipelines.map((p) => ({
      id: p.id,
      fromClass: p.fromClass,
      to: new Set(p.toCommands),
      scriptOptions: compileAlternatives(p.scriptOptions),
      classes: p.classes,
    })),
    modifiers: file.modifiers.map((m) => ({
      id: m.id,
      any: compileAlternatives(m.any),
      suppresses: new Set(m.suppresses),
      classes: m.classes,
    })),
    redirects: file.redirects.map((r) => ({
      id: r.id,
      ops: new Set(r.ops),
      targets: compileAlternatives(r.targets),
      except: r.except ? compileAlternatives(r.except) : null,
      classes: r.classes,
    })),
    statements: file.statements.map((s) => ({ id: s.id, lang: s.lang, re: new RegExp(s.regex, "is"), classes: s.classes })),
    code: new Map(file.code.map((c) => [c.lang, { id: c.id, calls: new RegExp(c.calls, "g"), backticks: c.backticks === true, quoteOps: c.quoteOps ?? [] }])),
  };
}

export const PATTERNS: CompiledPatterns = compilePatterns(raw);
