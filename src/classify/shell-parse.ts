// A small POSIX-shell tokenizer and simple-command splitter, written for classification rather than
// execution. Why not the `shell-quote` package: tried (1.12) on the inputs we must handle, it treats a
// newline as plain whitespace (`ls\nrm -rf /` becomes ONE command `ls rm -rf /`), keeps backticks inside
// words (`rm`` ), splits `$(` into a `$` word and a `(` operator, and tokenizes heredoc bodies as ordinary
// words. Fixing those afterwards would mean re-scanning the string ourselves anyway. The full parsers
// (bash-parser, mvdan-sh) are large, slow to load, and reject the half-valid commands agents log.
// This scanner is tolerant: an unterminated quote, substitution or heredoc ends at the end of input.

/** A redirection of one simple command; `body` is the heredoc or here-string text fed to its stdin. */
export interface Redirect {
  op: string;
  target: string;
  body?: string;
}

/** One simple command: words after quote removal, with `$(…)` and backticks kept literally in them. */
export interface SimpleCommand {
  argv: string[];
  redirects: Redirect[];
  /** Scripts found in `$(…)`, backticks, `<(…)`/`>(…)` and unquoted heredoc bodies of this command. */
  subs: string[];
  /** The command whose stdout feeds this one through `|`. */
  pipedFrom?: SimpleCommand;
}

// Character classes, indexed by char code (< 128).
const BLANK = 1; // space, tab, CR
const META = 2; // ends a word: blanks, newline, ; & | < > ( )
const SPECIAL = 4; // needs per-character handling inside a word: \ ' " $ `
const CHAR = new Uint8Array(128);
for (const c of " \t\r") CHAR[c.charCodeAt(0)] = BLANK | META;
for (const c of "\n;&|<>()") CHAR[c.charCodeAt(0)] = META;
for (const c of "\\'\"$`") CHAR[c.charCodeAt(0)] = SPECIAL;
const flags = (code: number): number => (code < 128 ? (CHAR[code] ?? 0) : 0);

// Reserved words are only recognised at the start of a command. The first group is dropped and the
// command continues; `for`/`select`/`case` headers hold no command, so their words are skipped.
const DROP_WORDS = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac"]);
const HEADER_WORDS = new Set(["for", "select", "case"]);

interface Word {
  text: string;
  quoted: boolean;
}

interface PendingHeredoc {
  redirect: Redirect;
  delimiter: string;
  stripTabs: boolean;
  expands: boolean;
  owner: SimpleCommand;
}

/**
 * Index just past the `close` that balances an already-consumed `open`, honouring quotes and escapes.
 * Iterative, with an explicit stack of the closers still owed: nested `$("$("…")")` once recursed one
 * JavaScript frame per level, so a hostile line of 50,000 levels overflowed the call stack.
 */
function balancedEnd(src: string, start: number, open: string, close: string): number {
  return nestedEnd(src, start, [close], open);
}

// `owed` holds the closers still expected, innermost last: `)` or `}` for a group, `"` for a double
// quote. Inside a group only the group's own opener nests (as the shell counts `${…}` and `$(…)`); inside
// a double quote only `$(` opens a group. Each character is visited once: linear in the input.
function nestedEnd(src: string, start: number, owed: string[], outerOpen: string): number {
  const opens: string[] = owed.map(() => outerOpen);
  let i = start;
  while (i < src.length) {
    const c = src[i]!;
    const want = owed[owed.length - 1]!;
    if (c === "\\") i += 2;
    else if (want === '"') {
      if (c === '"') {
        owed.pop();
        opens.pop();
        i++;
      } else if (c === "$" && src[i + 1] === "(") {
        owed.push(")");
        opens.push("(");
        i += 2;
      } else if (c === "`") i = skipTo(src, i + 1, "`");
      else i++;
    } else if (c === "'") i = skipTo(src, i + 1, "'");
    else if (c === '"') {
      owed.push('"');
      opens.push("(");
      i++;
    } else if (c === "`") i = skipTo(src, i + 1, "`");
    else {
      if (c === opens[opens.length - 1]) {
        owed.push(want);
        opens.push(c);
      } else if (c === want) {
        owed.pop();
        opens.pop();
      }
      i++;
    }
    if (owed.length === 0) return i;
  }
  return src.length;
}

function skipTo(src: string, start: number, ch: string): number {
  for (let i = start; i < src.length; i++) {
    if (src[i] === "\\" && ch === "`") i++;
    else if (src[i] === ch) return i + 1;
  }
  return src.length;
}

/** Substitutions inside text that the shell expands like a double-quoted string (heredoc bodies). */
export function expansionsIn(text: string): string[] {
  const subs: string[] = [];
  let i = text.indexOf("$(");
  let j = text.indexOf("`");
  while (i >= 0 || j >= 0) {
    if (j < 0 || (i >= 0 && i < j)) {
      if (text[i + 2] === "(") {
        i = text.indexOf("$(", i + 3);
        continue;
      }
      const end = balancedEnd(text, i + 2, "(", ")");
      subs.push(text.slice(i + 2, end - 1));
      i = text.indexOf("$(", end);
      if (j >= 0 && j < end) j = text.indexOf("`", end);
    } else {
      const end = skipTo(text, j + 1, "`");
      subs.push(unescapeBackticks(text.slice(j + 1, end - 1)));
      j = text.indexOf("`", end);
      if (i >= 0 && i < end) i = text.indexOf("$(", end);
    }
  }
  return subs;
}

function unescapeBackticks(s: string): string {
  return s.includes("\\") ? s.replace(/\\([`$\\])/g, "$1") : s;
}

const ANSI_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', e: "\x1b", a: "\x07", "0": "\0" };

/** Splits shell source into simple commands. Never throws. */
export function parseShell(src: string): SimpleCommand[] {
  return new Scanner(src).run();
}

// A class rather than closures inside parseShell: the parser runs once per agent action, and
// re-creating six closures per call cost more than the scanning itself.
class Scanner {
  private readonly src: string;
  private readonly n: number;
  private i = 0;
  private readonly out: SimpleCommand[] = [];
  private cur: SimpleCommand = { argv: [], redirects: [], subs: [] };
  private skipHeader = false; // inside a for/select/case header
  private skipNext = 0; // words to drop (the name after `function`)
  private pending: PendingHeredoc[] = [];

  constructor(src: string) {
    this.src = src;
    this.n = src.length;
  }

  run(): SimpleCommand[] {
    const { src, n } = this;
    while (this.i < n) {
      const i = this.i;
      const c = src[i]!;
      const f = flags(src.charCodeAt(i));
      if ((f & BLANK) !== 0) {
        this.i++;
      } else if (c === "\n") {
        this.i++;
        this.finish(false);
        if (this.pending.length > 0) this.readHeredocBodies();
      } else if (c === "#") {
        const eol = src.indexOf("\n", i);
        this.i = eol < 0 ? n : eol;
      } else if (c === ";") {
        this.i++;
        if (src[this.i] === ";" || src[this.i] === "&") this.i++; // ;; ;& (case arms)
        if (src[this.i] === "&") this.i++; // ;;&
        this.finish(false);
      } else if (c === "&") {
        if (src[i + 1] === ">") this.readRedirect();
        else {
          this.i += src[i + 1] === "&" ? 2 : 1;
          this.finish(false);
        }
      } else if (c === "|") {
        if (src[i + 1] === "|") {
          this.i += 2;
          this.finish(false);
        } else {
          this.i += src[i + 1] === "&" ? 2 : 1;
          this.finish(true);
        }
      } else if (c === "(" || c === ")") {
        this.i++;
        this.finish(false);
      } else if ((c === "<" || c === ">") && src[i + 1] === "(") {
        // Process substitution <(…) / >(…): a word whose inner script runs.
        const end = balancedEnd(src, i + 2, "(", ")");
        this.cur.subs.push(src.slice(i + 2, src[end - 1] === ")" ? end - 1 : end));
        this.addWord({ text: src.slice(i, end), quoted: false });
        this.i = end;
      } else if (c === "<" || c === ">") {
        this.readRedirect();
      } else {
        const w = this.readWord();
        // `2>file`, `2>&1`: an unquoted all-digit word glued to < or > is a file descriptor number.
        const glued = src[this.i] === "<" || src[this.i] === ">";
        if (glued && !w.quoted && /^\d+$/.test(w.text)) continue;
        this.addWord(w);
      }
    }
    this.finish(false);
    return this.out;
  }

  private finish(pipe: boolean): void {
    const prev = this.cur;
    const kept = prev.argv.length > 0 || prev.redirects.length > 0 || prev.subs.length > 0;
    if (kept) this.out.push(prev);
    this.cur = { argv: [], redirects: [], subs: [] };
    if (pipe && kept) this.cur.pipedFrom = prev;
    this.skipHeader = false;
  }

  private readWord(): Word {
    const { src, n } = this;
    let text = "";
    let quoted = false;
    while (this.i < n) {
      // Fast path: a run of ordinary characters.
      let j = this.i;
      while (j < n && (flags(src.charCodeAt(j)) & (META | SPECIAL)) === 0) j++;
      if (j > this.i) {
        text += src.slice(this.i, j);
        this.i = j;
        continue;
      }
      const i = this.i;
      const c = src[i];
      if (c === undefined || (flags(src.charCodeAt(i)) & META) !== 0) break;
      quoted = quoted || c === "\\" || c === "'" || c === '"';
      if (c === "\\") {
        if (src[i + 1] !== "\n") text += src[i + 1] ?? "";
        this.i += 2;
      } else if (c === "'") {
        const end = skipTo(src, i + 1, "'");
        text += src.slice(i + 1, src[end - 1] === "'" && end > i + 1 ? end - 1 : end);
        this.i = end;
      } else if (c === '"') {
        this.i++;
        while (this.i < n && src[this.i] !== '"') {
          const d = src[this.i]!;
          const e = src[this.i + 1];
          if (d === "\\" && e !== undefined && '"\\$`\n'.includes(e)) {
            if (e !== "\n") text += e;
            this.i += 2;
          } else if (d === "$" || d === "`") {
            text += this.readExpansion();
          } else {
            text += d;
            this.i++;
          }
        }
        this.i++;
      } else if (c === "$" && src[i + 1] === "'") {
        this.i += 2;
        quoted = true;
        while (this.i < n && src[this.i] !== "'") {
          const d = src[this.i]!;
          if (d === "\\" && this.i + 1 < n) {
            const e = src[this.i + 1]!;
            text += ANSI_ESCAPES[e] ?? "\\" + e;
            this.i += 2;
          } else {
            text += d;
            this.i++;
          }
        }
        this.i++;
      } else {
        text += this.readExpansion();
      }
    }
    return { text, quoted };
  }

  // At a `$` or backtick: returns its literal text and records command substitutions.
  private readExpansion(): string {
    const src = this.src;
    const start = this.i;
    if (src[start] === "`") {
      const end = skipTo(src, start + 1, "`");
      this.cur.subs.push(unescapeBackticks(src.slice(start + 1, src[end - 1] === "`" ? end - 1 : end)));
      this.i = end;
    } else if (src[start + 1] === "(" && src[start + 2] === "(") {
      this.i = balancedEnd(src, start + 3, "(", ")"); // arithmetic $(( … )): no command inside
      if (src[this.i] === ")") this.i++;
    } else if (src[start + 1] === "(") {
      const end = balancedEnd(src, start + 2, "(", ")");
      this.cur.subs.push(src.slice(start + 2, src[end - 1] === ")" ? end - 1 : end));
      this.i = end;
    } else if (src[start + 1] === "{") {
      this.i = balancedEnd(src, start + 2, "{", "}");
    } else {
      this.i++;
    }
    return src.slice(start, this.i);
  }

  private addWord(w: Word): void {
    if (this.skipHeader) return;
    if (this.skipNext > 0) {
      this.skipNext--;
      return;
    }
    if (this.cur.argv.length === 0 && !w.quoted) {
      if (DROP_WORDS.has(w.text)) return;
      if (HEADER_WORDS.has(w.text)) {
        this.skipHeader = true;
        return;
      }
      if (w.text === "function") {
        this.skipNext = 1;
        return;
      }
    }
    this.cur.argv.push(w.text);
  }

  private readRedirect(): void {
    const { src, n } = this;
    let op = src[this.i]!;
    this.i++;
    if (op === "&") op += src[this.i++]; // &> or &>>
    const next = src[this.i];
    if (op.endsWith("<") && next === "<") {
      this.i++;
      op += "<";
      if (src[this.i] === "<") {
        op += "<";
        this.i++;
      } else if (src[this.i] === "-") {
        op += "-";
        this.i++;
      }
    } else if (next === ">" || (next === "&" && op !== "&>") || (next === "|" && op === ">")) {
      op += next;
      this.i++;
    } else if (op === "<" && next === ">") {
      op += ">";
      this.i++;
    }
    while (this.i < n && (flags(src.charCodeAt(this.i)) & BLANK) !== 0) this.i++;
    const target = this.i < n && (flags(src.charCodeAt(this.i)) & META) === 0 ? this.readWord() : { text: "", quoted: false };
    const redirect: Redirect = { op, target: target.text };
    if (op === "<<<") redirect.body = target.text;
    if (op === "<<" || op === "<<-") {
      this.pending.push({ redirect, delimiter: target.text, stripTabs: op === "<<-", expands: !target.quoted, owner: this.cur });
    }
    this.cur.redirects.push(redirect);
  }

  // Called just after an unquoted newline: consume the bodies of heredocs opened on that line.
  private readHeredocBodies(): void {
    const { src, n } = this;
    for (const h of this.pending) {
      const lines: string[] = [];
      while (this.i < n) {
        let eol = src.indexOf("\n", this.i);
        if (eol < 0) eol = n;
        let line = src.slice(this.i, eol);
        this.i = eol + 1;
        if (h.stripTabs) line = line.replace(/^\t+/, "");
        if (line === h.delimiter || line.trimEnd() === h.delimiter) break;
        lines.push(line);
      }
      h.redirect.body = lines.join("\n");
      if (h.expands) h.owner.subs.push(...expansionsIn(h.redirect.body));
    }
    if (this.i > n) this.i = n;
    this.pending = [];
  }
}
