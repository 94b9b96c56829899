// Finds the shell commands inside inline interpreter code (`python -c`, `node -e`, `ruby -e`, `perl -e`,
// `php -r`): the string and list arguments of calls such as os.system / subprocess.run / execSync /
// system, and backtick or qx(…) commands. Not a parser of those languages: string literals are read
// with their escapes, everything else is skipped, and one pass over the text finds them all (linear).

export interface ShellCallSpec {
  calls: RegExp;
  backticks: boolean;
  quoteOps: readonly string[];
}

export interface ShellCalls {
  /** Command lines run through a shell (a call's single string argument, `cmd`, qx(cmd)). */
  scripts: string[];
  /** Commands given as a program and its arguments (`spawn('rm', ['-rf', p])`, `system('rm', '-rf', p)`). */
  argvs: string[][];
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0" };
const CLOSER: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };

/** Reads the string literal opening at `i`; returns its text and the index past it. */
function literal(text: string, i: number): { value: string; end: number } {
  const q = text[i]!;
  let value = "";
  let k = i + 1;
  while (k < text.length && text[k] !== q) {
    if (text[k] === "\\" && k + 1 < text.length) {
      const e = text[k + 1]!;
      value += ESCAPES[e] ?? e;
      k += 2;
    } else value += text[k++];
  }
  return { value, end: Math.min(k + 1, text.length) };
}

/**
 * The string literals of one argument list, from just after its opening `(` (or after a call without
 * parentheses, up to the end of the statement): nested brackets are followed, other code is skipped.
 */
function callArguments(text: string, start: number, parenthesised: boolean): { strings: string[]; inList: boolean; end: number } {
  const strings: string[] = [];
  let inList = false;
  let depth = 0;
  let k = start;
  while (k < text.length) {
    const c = text[k]!;
    if (c === "'" || c === '"' || c === "`") {
      const lit = literal(text, k);
      strings.push(lit.value);
      k = lit.end;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") {
      if (c === "[") inList = true;
      depth++;
    } else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) break;
      depth--;
    } else if (!parenthesised && depth === 0 && (c === ";" || c === "\n")) break;
    // A keyword argument that is not the command (`shell=True`, `cwd="/tmp"`, `{ cwd: "/srv" }`) ends the
    // positional part: its strings are options, not words of the command.
    else if (depth === 0 && c === ",") {
      const rest = text.slice(k + 1, k + 40);
      if (/^\s*\w+\s*=[^=]/.test(rest) || /^\s*\{/.test(rest)) break;
    }
    k++;
  }
  return { strings, inList, end: k };
}

export function shellCallsIn(text: string, spec: ShellCallSpec): ShellCalls {
  const out: ShellCalls = { scripts: [], argvs: [] };
  const re = spec.calls;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const parenthesised = m[0].endsWith("(");
    const args = callArguments(text, m.index + m[0].length, parenthesised);
    if (args.strings.length === 1 && !args.inList) out.scripts.push(args.strings[0]!);
    else if (args.strings.length > 0) out.argvs.push(args.strings);
    re.lastIndex = Math.max(args.end, m.index + m[0].length, re.lastIndex);
  }
  if (spec.backticks) {
    for (let k = text.indexOf("`"); k >= 0; k = text.indexOf("`", k)) {
      const lit = literal(text, k);
      out.scripts.push(lit.value);
      k = lit.end;
    }
  }
  for (const op of spec.quoteOps) {
    for (let k = text.indexOf(op); k >= 0; k = text.indexOf(op, k + 1)) {
      const open = text[k + op.length];
      if (open === undefined || /[\w\s]/.test(open) || (k > 0 && /\w/.test(text[k - 1]!))) continue;
      const close = CLOSER[open] ?? open;
      const end = text.indexOf(close, k + op.length + 1);
      out.scripts.push(text.slice(k + op.length + 1, end < 0 ? text.length : end));
      if (end < 0) break;
      k = end;
    }
  }
  return out;
}
