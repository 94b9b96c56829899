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
  classes: Classes.optional(),
  source: z.string(),
});

const InterpreterSchema = z.strictObject({
  id: z.string(),
  commands: Alternatives,
  path: Alternatives.optional(),
  lang: z.enum(["shell", "sql", "mongo", "redis", "argv"]),
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
  statements: z.array(
    z.strictObject({
      id: z.string(),
      lang: z.enum(["sql", "mongo", "redis"]),
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
  glob: RegExp | null;
  letters: string;
}

const CLUSTER = /^-[A-Za-z0-9]+$/;

export function compileAlternatives(alts: readonly string[]): ArgMatcher {
  const exact = new Set<string>();
  const globs: string[] = [];
  let letters = "";
  for (const a of alts) {
    if (a.includes("*") || a.includes("?")) globs.push(unanchoredGlob(a));
    else {
      exact.add(a);
      if (/^-[A-Za-z0-9]$/.test(a)) letters += a[1];
    }
  }
  return { exact, glob: globs.length ? new RegExp(globs.join("|"), "s") : null, letters };
}

// `*x*` is compiled to a plain search for x rather than ^.*x.*$: the same language, without the
// backtracking that made the secret-path globs the hottest code in a profile.
function unanchoredGlob(glob: string): string {
  const head = glob.startsWith("*") ? "" : "^";
  const tail = glob.endsWith("*") && glob.length > 1 ? "" : "$";
  const body = glob.replace(/^\*+/, "").replace(/\*+$/, "");
  return `(?:${head}${globSource(body)}${tail})`;
}

function globSource(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
}

export function matchArg(m: ArgMatcher, arg: string, clusters: boolean): boolean {
  if (m.exact.has(arg)) return true;
  if (m.glob !== null && m.glob.test(arg)) return true;
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
  byGlob: { re: RegExp; pattern: CompiledPattern }[];
  options: ReadonlyMap<string, CommandOptions>;
  wrappers: ReadonlyMap<string, Wrapper>;
  interpreters: ReadonlyMap<string, Interpreter[]>;
  producers: { args: ReadonlySet<string>; heredoc: ReadonlySet<string> };
  pipelines: { id: string; fromClass: ActionClass; to: ReadonlySet<string>; scriptOptions: ArgMatcher; classes: ActionClass[] }[];
  modifiers: { id: string; any: ArgMatcher; suppresses: ReadonlySet<ActionClass>; classes: ActionClass[] }[];
  redirects: { id: string; ops: ReadonlySet<string>; targets: ArgMatcher; except: ArgMatcher | null; classes: ActionClass[] }[];
  statements: { id: string; lang: "sql" | "mongo" | "redis"; re: RegExp; classes: ActionClass[] }[];
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
      if (c.includes("*")) byGlob.push({ re: new RegExp(`^${globSource(c)}$`), pattern: compiled });
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

  for (const x of [...file.pipelines, ...file.modifiers, ...file.redirects, ...file.statements]) checkId(x.id);

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
  };
}

export const PATTERNS: CompiledPatterns = compilePatterns(raw);
