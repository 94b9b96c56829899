// Classifies what an agent's shell command does: read / write / execute / network / credential-access /
// destructive / irreversible / privilege-change. The command is parsed (shell-parse.ts), every simple
// command is unwrapped (assignments, sudo, env, xargs, bash -c, ssh, psql -c, heredocs fed to shells and
// SQL clients, find -exec, kubectl exec --) and matched against the data in command-patterns.json.
//
// Speed, measured as CPU time by the speed test in test/classify/shell.test.ts over the labelled corpus
// (test/fixtures/classify/shell-commands.json): 195k-290k simple commands/s on the 2-core dev machine
// over the 305-command table, about 200k/s over the 361-command corpus (now 368) at a load average near 15
// (wall-clock figures there swing with other suites sharing the cores). Target: >= 200k/s.
import { parseShell, type Redirect, type SimpleCommand } from "./shell-parse.ts";
import {
  PATTERNS,
  globMatches,
  matchAny,
  matchArg,
  optionsFor,
  type ActionClass,
  type CompiledPattern,
  type CodeLang,
  type CommandOptions,
  type Interpreter,
} from "./shell-patterns.ts";
import { shellCallsIn } from "./inline-code.ts";

export type { ActionClass } from "./shell-patterns.ts";

export interface CommandMatch {
  /** Id of the data pattern (command-patterns.json) that fired. */
  pattern: string;
  /** The simple command (argv joined by spaces) or SQL statement it fired on. */
  segment: string;
  class: ActionClass;
}

export interface CommandClassification {
  /** Sorted, unique; always at least one ("execute" for an unknown command). */
  classes: ActionClass[];
  /** classes includes destructive or irreversible (irreversible implies destructive). */
  destructive: boolean;
  irreversible: boolean;
  matches: CommandMatch[];
  /** The simple commands found after unwrapping, as argv joined by spaces. */
  segments: string[];
  /**
   * Part of the command was nested deeper than the classifier reads (MAX_DEPTH levels of `$(…)`,
   * `bash -c`, …): what runs there is unknown, and a match with id UNCLASSIFIABLE says so.
   */
  unclassifiable: boolean;
}

type Classes = Set<ActionClass>;

interface Ctx {
  matches: CommandMatch[];
  segments: string[];
  unclassifiable: boolean;
}

// Nesting is bounded so that `bash -c "bash -c \"…\""` chains and quine-like inputs stay linear: each
// level re-reads its own text once, so the work is at most MAX_DEPTH passes over the command. Deeper
// text is not read; the command is then recorded as unclassifiable rather than silently as harmless.
export const MAX_DEPTH = 8;
export const UNCLASSIFIABLE = "unclassifiable-nesting-too-deep";
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const HEREDOC_OPS = new Set(["<<", "<<-", "<<<"]);

export function classifyCommand(command: string | string[]): CommandClassification {
  const ctx: Ctx = { matches: [], segments: [], unclassifiable: false };
  let classes: Classes;
  if (typeof command === "string") classes = classifyScript(command, ctx, 0);
  // Codex logs argv arrays; a one-element array is a whole command line.
  else if (command.length === 1) classes = classifyScript(command[0] ?? "", ctx, 0);
  else classes = classifySimple(command, [], undefined, undefined, ctx, 0);
  if (classes.size === 0) classes.add("execute");
  return {
    classes: [...classes].sort(),
    destructive: classes.has("destructive") || classes.has("irreversible"),
    irreversible: classes.has("irreversible"),
    matches: ctx.matches,
    segments: ctx.segments,
    unclassifiable: ctx.unclassifiable,
  };
}

function tooDeep(ctx: Ctx, text: string): Classes {
  const out: Classes = new Set();
  if (!ctx.unclassifiable) record(ctx, out, UNCLASSIFIABLE, text.length > 80 ? `${text.slice(0, 80)}…` : text, "execute");
  ctx.unclassifiable = true;
  out.add("execute");
  return out;
}

function addAll(into: Classes, from: Iterable<ActionClass>): void {
  for (const c of from) into.add(c);
}

function record(ctx: Ctx, out: Classes, pattern: string, segment: string, cls: ActionClass): void {
  ctx.matches.push({ pattern, segment, class: cls });
  out.add(cls);
  if (cls === "irreversible") out.add("destructive");
}

function commandName(word: string): string {
  const slash = word.lastIndexOf("/");
  return slash >= 0 ? word.slice(slash + 1) : word;
}

function classifyScript(src: string, ctx: Ctx, depth: number): Classes {
  if (depth > MAX_DEPTH) return tooDeep(ctx, src);
  const out: Classes = new Set();
  const results = new Map<SimpleCommand, Classes>();
  for (const sc of parseShell(src)) {
    let stdin = heredocBody(sc.redirects);
    let piped: Classes | undefined;
    if (sc.pipedFrom) {
      piped = results.get(sc.pipedFrom);
      stdin ??= producerText(sc.pipedFrom);
    }
    const r = classifySimple(sc.argv, sc.redirects, stdin, piped, ctx, depth);
    for (const sub of sc.subs) addAll(r, classifyScript(sub, ctx, depth + 1));
    results.set(sc, r);
    addAll(out, r);
  }
  return out;
}

function heredocBody(redirects: readonly Redirect[]): string | undefined {
  let body: string | undefined;
  for (const r of redirects) if (HEREDOC_OPS.has(r.op) && r.body !== undefined) body = r.body;
  return body;
}

/** The text a pipeline producer writes, when the command line shows it (`echo …`, `cat <<EOF`). */
function producerText(sc: SimpleCommand): string | undefined {
  const name = commandName(sc.argv[0] ?? "");
  if (PATTERNS.producers.args.has(name)) {
    let k = 1;
    while (k < sc.argv.length && /^-[neE]+$/.test(sc.argv[k]!)) k++;
    const text = sc.argv.slice(k).join(" ");
    return name === "printf" ? text.replace(/\\n/g, "\n") : text;
  }
  if (PATTERNS.producers.heredoc.has(name) && sc.argv.length === 1) return heredocBody(sc.redirects);
  return undefined;
}

/** Stands for the operands xargs appends: `xargs rm -f` removes files although its own line names none. */
const APPENDED_OPERAND = "(operands from stdin)";

/**
 * Strips assignments and wrapper commands (sudo, env, nohup, time, xargs, …) off an argv. `appended`
 * is set when a wrapper gives the command operands of its own.
 */
function unwrap(argv: readonly string[], ctx: Ctx, out: Classes, appended: { yes: boolean }): readonly string[] {
  let a = argv;
  for (let guard = 0; guard < 16; guard++) {
    let k = 0;
    while (k < a.length && ASSIGNMENT.test(a[k]!)) k++;
    if (k > 0) a = a.slice(k);
    if (a.length === 0) return a;
    const w = PATTERNS.wrappers.get(commandName(a[0]!));
    if (w === undefined) return a;
    if (w.requires && !w.requires.includes(a[1] ?? "")) return a;
    let j = w.requires ? 2 : 1;
    while (j < a.length) {
      const x = a[j]!;
      if (x === "--") {
        j++;
        break;
      }
      if (w.stopFlags?.includes(x)) return a; // `command -v rm` only looks the name up
      if (x.length > 1 && x[0] === "-") j += w.optSet.has(x) ? 2 : 1;
      else if (w.assignments && ASSIGNMENT.test(x)) j++;
      else break;
    }
    j += w.positionals ?? 0;
    if (a[j] === "--") j++;
    // Nothing left to run: the wrapper itself is the command (`sudo -i`, a bare `env`).
    if (j >= a.length) return a;
    if (w.classes) for (const c of w.classes) record(ctx, out, w.id, a.join(" "), c);
    if (w.appendsArguments) appended.yes = true;
    a = a.slice(j);
  }
  return a;
}

const TRUE_WORDS = new Set(["true", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0"]);

/**
 * `--force=true` is `--force` and `--force=false` is no flag at all. Go's flag package documents
 * `-flag=false` for boolean flags and many CLIs follow it; whether or not a given tool accepts the
 * form, the command as logged asks for the flag, so a pattern written for `--force` sees either form.
 */
function booleanFlags(args: readonly string[]): readonly string[] {
  let out: string[] | null = null;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const value = eq > 2 ? a.slice(eq + 1).toLowerCase() : "";
    if (eq > 2 && (TRUE_WORDS.has(value) || FALSE_WORDS.has(value))) {
      out ??= args.slice(0, k);
      if (TRUE_WORDS.has(value)) out.push(a.slice(0, eq));
    } else if (out !== null) out.push(a);
  }
  return out ?? args;
}

/** Non-option arguments; values of the command's global options (git -C DIR) are skipped. */
function positionals(args: readonly string[], opts: CommandOptions): string[] {
  const pos: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      for (let m = k + 1; m < args.length; m++) pos.push(args[m]!);
      break;
    }
    if (a.length > 1 && a[0] === "-") {
      if (pos.length === 0 && opts.globalOptsWithValue.has(a)) k++;
      continue;
    }
    pos.push(a);
  }
  return pos;
}

function patternMatches(p: CompiledPattern, args: readonly string[], pos: readonly string[], clusters: boolean): boolean {
  if (p.maxArgs !== null && args.length > p.maxArgs) return false;
  for (let k = 0; k < p.path.length; k++) {
    const word = pos[k];
    if (word === undefined || !matchArg(p.path[k]!, word, false)) return false;
  }
  if (p.anyPositional !== null && !matchAny(p.anyPositional, pos, 0, false)) return false;
  for (const group of p.flags) if (!matchAny(group, args, 0, clusters)) return false;
  if (p.none !== null && matchAny(p.none, args, 0, clusters)) return false;
  return true;
}

interface Embedded {
  scripts: string[];
  argvs: string[][];
  readsStdin: boolean;
}

/** Finds the script or command an interpreter runs: `bash -c S`, `psql -c S`, `ssh host S`, `find -exec …;`. */
function embedded(it: Interpreter, args: readonly string[], pos0: string | undefined): Embedded | null {
  if (it.path && !(pos0 !== undefined && it.path.includes(pos0))) return null;
  const e: Embedded = { scripts: [], argvs: [], readsStdin: false };
  const pos: string[] = [];
  let letterSeen = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      if (it.afterDoubleDash) {
        if (k + 1 < args.length) e.argvs.push(args.slice(k + 1));
      } else for (let m = k + 1; m < args.length; m++) pos.push(args[m]!);
      break;
    }
    if (it.execBetween?.start.includes(a)) {
      let m = k + 1;
      while (m < args.length && !it.execBetween.end.includes(args[m]!)) m++;
      if (m > k + 1) e.argvs.push(args.slice(k + 1, m));
      k = m;
      continue;
    }
    if (a.length > 1 && (a[0] === "-" || (a[0] === "+" && it.scriptFlagLetter !== undefined))) {
      const eq = a.indexOf("=");
      if (it.scriptOptSet.has(a)) {
        if (k + 1 < args.length) e.scripts.push(args[++k]!);
      } else if (eq > 0 && it.scriptOptSet.has(a.slice(0, eq))) {
        e.scripts.push(a.slice(eq + 1));
      } else if (a[1] !== "-" && a.length > 2 && it.scriptOptSet.has(a.slice(0, 2))) {
        e.scripts.push(a.slice(2)); // -c"DROP …" glued to its option
      } else if (it.scriptFlagLetter && /^[-+][A-Za-z]+$/.test(a)) {
        if (a[0] === "-" && a.includes(it.scriptFlagLetter)) letterSeen = true; // bash -lc, sh -ec
        if (it.optSet.has(a[0]! + a[a.length - 1]!)) k++; // bash -euo pipefail: the cluster's last option takes a value
      } else if (it.optSet.has(a)) {
        k++;
      }
      continue;
    }
    pos.push(a);
    if (it.argvFromPositional !== undefined && pos.length === it.argvFromPositional + 1) {
      e.argvs.push(args.slice(k));
      break;
    }
  }
  if (letterSeen && pos[0] !== undefined) e.scripts.push(pos[0]);
  if (it.scriptPositional !== undefined && pos[it.scriptPositional] !== undefined) e.scripts.push(pos[it.scriptPositional]!);
  if (it.restFromPositional !== undefined && pos.length > it.restFromPositional) {
    e.scripts.push(pos.slice(it.restFromPositional).join(" "));
  }
  // `-` as the script operand names stdin (python3 - <<EOF, bash -): it is not a script file.
  const operands = pos[0] === "-" ? pos.length - 1 : pos.length;
  e.readsStdin =
    it.stdin === true && !letterSeen && e.scripts.length === 0 && e.argvs.length === 0 && operands <= it.stdinMaxPositionals &&
    !(it.stdinIsDataWith?.some((o) => args.includes(o)) ?? false);
  return e;
}

function classifySimple(
  argv: readonly string[],
  redirects: readonly Redirect[],
  stdin: string | undefined,
  piped: Classes | undefined,
  ctx: Ctx,
  depth: number,
): Classes {
  if (depth > MAX_DEPTH) return tooDeep(ctx, argv.join(" "));
  const out: Classes = new Set();
  const appended = { yes: false };
  const a = unwrap(argv, ctx, out, appended);
  const name = a.length > 0 ? commandName(a[0]!) : "";
  const args = booleanFlags(a.slice(1));
  const segment = a.join(" ");
  const opts = optionsFor(PATTERNS, name);
  const pos = positionals(args, opts);
  if (appended.yes) pos.push(APPENDED_OPERAND);

  let nested = false;
  let transparent = false;
  const at = ctx.segments.length; // the command itself is listed before anything nested in it
  for (const it of PATTERNS.interpreters.get(name) ?? []) {
    const e = embedded(it, args, pos[0]);
    if (e === null) continue;
    for (const s of e.scripts) addAll(out, classifyText(it.lang, s, ctx, depth + 1));
    for (const v of e.argvs) addAll(out, classifySimple(v, [], undefined, undefined, ctx, depth + 1));
    nested = e.scripts.length > 0 || e.argvs.length > 0;
    if (e.readsStdin && stdin !== undefined) {
      addAll(out, classifyText(it.lang, stdin, ctx, depth + 1));
      nested = true;
    }
    // `bash -c S` is S: the shell itself is not reported as a command of its own.
    transparent = nested && it.transparent === true;
    break;
  }

  if (a.length > 0 && !transparent) {
    ctx.segments.splice(at, 0, segment);
    let matched = matchPatterns(name, args, pos, opts, segment, ctx, out);
    if (piped !== undefined) {
      for (const pl of PATTERNS.pipelines) {
        if (piped.has(pl.fromClass) && pl.to.has(name) && readsScriptFromStdin(args, pl.scriptOptions)) {
          for (const c of pl.classes) record(ctx, out, pl.id, segment, c);
          matched = true;
        }
      }
    }
    if (!matched && !nested) out.add("execute");
  }

  for (const r of redirects) {
    if (HEREDOC_OPS.has(r.op)) continue;
    for (const rd of PATTERNS.redirects) {
      if (!rd.ops.has(r.op) || !matchArg(rd.targets, r.target, false)) continue;
      if (rd.except !== null && matchArg(rd.except, r.target, false)) continue;
      for (const c of rd.classes) record(ctx, out, rd.id, `${segment} ${r.op} ${r.target}`.trim(), c);
    }
  }
  return out;
}

/** Runs the data patterns for one unwrapped simple command; returns whether any fired. */
function matchPatterns(
  name: string,
  args: readonly string[],
  pos: readonly string[],
  opts: CommandOptions,
  segment: string,
  ctx: Ctx,
  out: Classes,
): boolean {
  const fired: { id: string; cls: ActionClass }[] = [];
  for (const p of PATTERNS.byCommand.get(name) ?? []) {
    if (patternMatches(p, args, pos, opts.clusters)) for (const c of p.classes) fired.push({ id: p.id, cls: c });
  }
  for (const { glob, pattern } of PATTERNS.byGlob) {
    if (globMatches(glob, name) && patternMatches(pattern, args, pos, opts.clusters)) {
      for (const c of pattern.classes) fired.push({ id: pattern.id, cls: c });
    }
  }
  let kept = fired;
  for (const m of PATTERNS.modifiers) {
    if (!matchAny(m.any, args, 0, false)) continue;
    kept = kept.filter((f) => !m.suppresses.has(f.cls));
    for (const c of m.classes) kept.push({ id: m.id, cls: c });
  }
  for (const f of kept) record(ctx, out, f.id, segment, f.cls);
  return kept.length > 0;
}

/** True when an interpreter at the end of a pipe takes its program from stdin (`curl … | bash`). */
function readsScriptFromStdin(args: readonly string[], scriptOptions: Parameters<typeof matchAny>[0]): boolean {
  if (matchAny(scriptOptions, args, 0, true)) return false;
  return args.every((x) => x === "-" || x.startsWith("-"));
}

function classifyText(lang: Interpreter["lang"], text: string, ctx: Ctx, depth: number): Classes {
  if (lang === "shell") return classifyScript(text, ctx, depth);
  if (lang === "argv") return classifySimple(text.split(/\s+/).filter(Boolean), [], undefined, undefined, ctx, depth);
  if (lang !== "sql" && lang !== "mongo" && lang !== "redis") return classifyCode(lang, text, ctx, depth);
  const out: Classes = new Set();
  for (const statement of splitStatements(text, lang)) {
    for (const s of PATTERNS.statements) {
      if (s.lang === lang && s.re.test(statement)) for (const c of s.classes) record(ctx, out, s.id, statement, c);
    }
  }
  return out;
}

/**
 * Inline interpreter code: the shell commands it runs (os.system, execSync, `cmd`, …) go through the
 * shell classifier, and its own destructive library calls (shutil.rmtree, fs.rmSync, FileUtils.rm_rf,
 * unlink) are matched by the language's statement patterns over the whole text.
 */
function classifyCode(lang: CodeLang, text: string, ctx: Ctx, depth: number): Classes {
  const out: Classes = new Set();
  const spec = PATTERNS.code.get(lang);
  if (spec !== undefined) {
    const calls = shellCallsIn(text, spec);
    for (const script of calls.scripts) addAll(out, classifyScript(script, ctx, depth + 1));
    for (const argv of calls.argvs) addAll(out, classifySimple(argv, [], undefined, undefined, ctx, depth + 1));
  }
  for (const s of PATTERNS.statements) {
    if (s.lang !== lang) continue;
    const m = s.re.exec(text);
    if (m !== null) for (const c of s.classes) record(ctx, out, s.id, m[0], c);
  }
  return out;
}

/**
 * Splits SQL on `;` outside quotes and comments (psql backslash meta-commands dropped), Mongo shell
 * code on `;` and newlines, Redis input on newlines. Whitespace is collapsed so patterns stay simple.
 */
export function splitStatements(text: string, lang: "sql" | "mongo" | "redis"): string[] {
  if (lang !== "sql") {
    return text
      .split(lang === "redis" ? /\n/ : /[;\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const out: string[] = [];
  let cur = "";
  let i = 0;
  const push = (): void => {
    const s = cur.replace(/\s+/g, " ").trim();
    if (s) out.push(s);
    cur = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === "`") {
      const end = text.indexOf(c, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      cur += text.slice(i, stop);
      i = stop;
    } else if (c === "$" && text[i + 1] === "$") {
      const end = text.indexOf("$$", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      cur += text.slice(i, stop);
      i = stop;
    } else if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "\\" && cur.trim() === "") {
      // psql meta-command (\dt, \c db): a statement of its own that runs to the end of the line
      const end = text.indexOf("\n", i);
      cur = text.slice(i, end < 0 ? text.length : end);
      push();
      i = end < 0 ? text.length : end;
    } else if (c === ";") {
      push();
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  push();
  return out;
}
