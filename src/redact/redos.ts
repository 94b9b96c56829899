/**
 * A conservative check of a user-supplied redaction regex for catastrophic backtracking (ReDoS).
 * JavaScript's regex engine backtracks and cannot be interrupted, so a pattern such as `(a+)+$`
 * on a line of 30 `a`s runs for minutes while the ingest holds the store's lock. Patterns are
 * checked when the config is loaded, and refused with the reason, for the shapes known to blow up
 * (OWASP 'Regular expression Denial of Service - ReDoS'; J. Davis et al., 'The Impact of Regular
 * Expression Denial of Service (ReDoS) in Practice', ESEC/FSE 2018, which classifies them as
 * nested quantifiers, quantified overlapping alternation and adjacent overlapping quantifiers):
 *
 * 1. a repeated group that contains a repeat (star height 2): `(a+)+`, `(?:\w*\s)*`;
 * 2. a repeated alternation whose branches can start with the same character: `(a|ab)*`, `(\w|\d)+`;
 * 3. two unbounded repeats of overlapping characters with nothing required between them:
 *    `\d+\d*`, `.*\s*` (polynomial);
 * 4. an unbounded repeat at the start of the pattern: `.*password`, `\w+@` (each start position
 *    rescans the rest of the line, quadratic on a long line without a match).
 *
 * "Repeat" means a quantifier that can match more than one time with a variable count (`+`, `*`,
 * `{2,5}`); fixed counts (`{16}`) and `?` are safe. The check may refuse a harmless pattern; the
 * message says how to rewrite it (bound the repeat, `{1,256}`, or start with a literal).
 */

type Node =
  | { t: "seq"; items: Node[] }
  | { t: "alt"; branches: Node[] }
  | { t: "group"; child: Node; lookaround: boolean }
  /** One character; `chars` matches exactly the characters it can be (a literal, a class, a dot). */
  | { t: "atom"; chars: RegExp }
  | { t: "assert"; anchor: boolean }
  | { t: "quant"; child: Node; min: number; max: number; src: string };

class Parser {
  private i = 0;
  private readonly flags: string;
  constructor(
    private readonly src: string,
    flags: string,
  ) {
    // Only the flags that change what one character matches.
    this.flags = [...flags].filter((f) => "isuv".includes(f)).join("");
  }

  /** The atom written from `start` to here, as a one-character matcher. */
  private atomFrom(start: number): Node {
    const text = this.src.slice(start, this.i);
    try {
      return { t: "atom", chars: new RegExp(`^(?:${text})$`, this.flags) };
    } catch {
      return { t: "atom", chars: /^[^]$/ };
    }
  }

  parse(): Node {
    const node = this.alternation();
    return node;
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { t: "alt", branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const start = this.i;
      let atom = this.atom();
      for (;;) {
        const q = this.quantifier();
        if (!q) break;
        atom = { t: "quant", child: atom, min: q.min, max: q.max, src: this.src.slice(start, this.i) };
      }
      items.push(atom);
    }
    return { t: "seq", items };
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.src[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === "*") q = { min: 0, max: Infinity };
    else if (c === "+") q = { min: 1, max: Infinity };
    else if (c === "?") q = { min: 0, max: 1 };
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return null;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
      q = { min, max };
    }
    if (!q) return null;
    this.i++;
    if (this.src[this.i] === "?") this.i++; // lazy: backtracks the same way
    return q;
  }

  private atom(): Node {
    const c = this.src[this.i]!;
    if (c === "(") {
      this.i++;
      let lookaround = false;
      if (this.src[this.i] === "?") {
        const m = /^\?(?:<[A-Za-z_$][\w$]*>|[:=!]|<[=!])/.exec(this.src.slice(this.i));
        if (m) {
          lookaround = /[=!]$/.test(m[0]);
          this.i += m[0].length;
        }
      }
      const child = this.alternation();
      this.i++; // ")"
      return { t: "group", child, lookaround };
    }
    const start = this.i;
    if (c === "[") {
      this.skipClass();
      return this.atomFrom(start);
    }
    if (c === "^" || c === "$") {
      this.i++;
      return { t: "assert", anchor: c === "^" };
    }
    if (c === "\\") {
      const e = this.src[this.i + 1] ?? "";
      this.i += 2;
      if (/[bB]/.test(e)) return { t: "assert", anchor: e === "b" };
      if (/[k1-9]/.test(e)) {
        // A backreference: any text.
        if (e === "k" && this.src[this.i] === "<") this.i = this.src.indexOf(">", this.i) + 1 || this.src.length;
        return { t: "atom", chars: /^[^]$/ };
      }
      if (/[pP]/.test(e) && this.src[this.i] === "{") this.i = this.src.indexOf("}", this.i) + 1 || this.src.length;
      if (e === "x" || e === "u" || e === "c") {
        const m = /^(?:[0-9A-Fa-f]{2}|\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{4}|[A-Za-z])/.exec(this.src.slice(this.i));
        if (m) this.i += m[0].length;
      }
      return this.atomFrom(start);
    }
    this.i += c.codePointAt(0)! > 0xffff ? 2 : 1;
    return this.atomFrom(start);
  }

  /** Past a character class, nested ones (flag v) included. */
  private skipClass(): void {
    let depth = 0;
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === "\\") this.i += 2;
      else {
        this.i++;
        if (c === "[") depth++;
        else if (c === "]" && --depth === 0) return;
      }
    }
  }
}

const repeats = (n: Node): n is Extract<Node, { t: "quant" }> => n.t === "quant" && n.max >= 2 && n.min !== n.max;

/** Whether a node can match the empty string (roughly: everything optional). */
function nullable(n: Node): boolean {
  switch (n.t) {
    case "seq":
      return n.items.every(nullable);
    case "alt":
      return n.branches.some(nullable);
    case "group":
      return n.lookaround || nullable(n.child);
    case "atom":
      return false;
    case "assert":
      return true;
    case "quant":
      return n.min === 0 || nullable(n.child);
  }
}

/** Characters that tell matchers apart: ASCII, a few Latin-1 and other letters, spaces and an astral symbol. */
const PROBE = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), "é", "Ö", "ß", "ǅ", "ſ", "K", "\u00a0", "\u2028", "\u3000", "中", "😀"];

/** The matchers of the characters a node can start (or, `fromEnd`, end) with. */
function edges(n: Node, fromEnd = false): RegExp[] {
  switch (n.t) {
    case "atom":
      return [n.chars];
    case "assert":
      return [];
    case "group":
      return n.lookaround ? [] : edges(n.child, fromEnd);
    case "quant":
      return edges(n.child, fromEnd);
    case "alt":
      return n.branches.flatMap((b) => edges(b, fromEnd));
    case "seq": {
      const out: RegExp[] = [];
      for (const item of fromEnd ? [...n.items].reverse() : n.items) {
        out.push(...edges(item, fromEnd));
        if (!nullable(item)) break;
      }
      return out;
    }
  }
}

function overlap(a: RegExp[], b: RegExp[]): boolean {
  return PROBE.some((ch) => a.some((r) => r.test(ch)) && b.some((r) => r.test(ch)));
}

function branchesOf(n: Node): Node[] | null {
  if (n.t === "alt") return n.branches;
  if (n.t === "group" && !n.lookaround) return branchesOf(n.child);
  if (n.t === "seq" && n.items.length === 1) return branchesOf(n.items[0]!);
  return null;
}

/** A node's sub-nodes; a lookaround's only `withLookaround` (it repeats nothing itself, but is still searched). */
function children(n: Node, withLookaround: boolean): Node[] {
  if (n.t === "seq") return n.items;
  if (n.t === "alt") return n.branches;
  if (n.t === "group") return n.lookaround && !withLookaround ? [] : [n.child];
  if (n.t === "quant") return [n.child];
  return [];
}

function containsRepeat(n: Node): Extract<Node, { t: "quant" }> | null {
  if (repeats(n)) return n;
  for (const k of children(n, false)) {
    const found = containsRepeat(k);
    if (found) return found;
  }
  return null;
}

function check(n: Node): string | null {
  if (repeats(n)) {
    const inner = containsRepeat(n.child);
    if (inner) return `nested quantifiers: the repeated ${n.src} contains the repeat ${inner.src} (exponential backtracking)`;
    const branches = branchesOf(n.child);
    if (branches) {
      for (let a = 0; a < branches.length; a++) {
        for (let b = a + 1; b < branches.length; b++) {
          if (overlap(edges(branches[a]!), edges(branches[b]!))) return `the repeated alternation ${n.src} has branches that can match the same text (exponential backtracking)`;
        }
      }
    }
  }
  if (n.t === "seq") {
    // Two unbounded repeats of overlapping characters with only optional items between them.
    let last: Extract<Node, { t: "quant" }> | null = null;
    for (const item of n.items) {
      if (item.t === "quant" && item.max === Infinity) {
        if (last && overlap(edges(last.child, true), edges(item.child))) return `${last.src} and ${item.src} repeat the same characters with nothing required between them (polynomial backtracking)`;
        last = item;
      } else if (!nullable(item)) last = null;
    }
  }
  for (const k of children(n, true)) {
    const found = check(k);
    if (found) return found;
  }
  return null;
}

/** The first unbounded repeat a match can begin with, if any: `.*x`, `(?:\w+)@`. */
function leadingUnbounded(n: Node): Extract<Node, { t: "quant" }> | null {
  if (n.t === "quant") return n.max === Infinity ? n : leadingUnbounded(n.child);
  if (n.t === "group") return n.lookaround ? null : leadingUnbounded(n.child);
  if (n.t === "alt") {
    for (const b of n.branches) {
      const found = leadingUnbounded(b);
      if (found) return found;
    }
    return null;
  }
  if (n.t === "seq") {
    // A match anchored at a line start or a word boundary is tried from few positions.
    const first = n.items[0];
    if (first?.t === "assert" && first.anchor) return null;
    for (const item of n.items) {
      if (item.t === "assert") continue;
      return leadingUnbounded(item);
    }
  }
  return null;
}

/** Why `regex` could backtrack catastrophically, or null when none of the known shapes occurs. */
export function redosRisk(regex: string, flags = ""): string | null {
  const tree = new Parser(regex, flags).parse();
  const found = check(tree);
  if (found) return `${found}; bound the repeats (for example {1,256}) or make the alternatives distinct`;
  const lead = leadingUnbounded(tree);
  if (lead) return `it starts with the unbounded repeat ${lead.src}, which rescans the rest of the line from every position (quadratic); start with a literal or bound it (for example {1,256})`;
  return null;
}
