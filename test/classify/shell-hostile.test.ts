import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { classifyCommand, UNCLASSIFIABLE } from "../../src/classify/shell.ts";
import { classifyToolCall } from "../../src/classify/action.ts";

/** The shell classifier under hostile input: deep nesting, 64 KB lines, random strings (the tables: shell.test.ts). */
test("hostile input: unterminated quotes, deep nesting and random strings never throw", () => {
  for (const c of ["echo 'unterminated", 'rm -rf "x', "$(rm -rf y", "cat <<EOF\nno end", "`", "a |", ";;;&&||"]) {
    assert.ok(classifyCommand(c).classes.length > 0, c);
  }
  let nested = "rm -rf /x";
  for (let k = 0; k < 5; k++) nested = `bash -c ${JSON.stringify(nested)}`;
  assert.ok(classifyCommand(nested).irreversible, "five levels of bash -c are unwrapped");
  for (let k = 0; k < 7; k++) nested = `bash -c ${JSON.stringify(nested)}`;
  assert.ok(classifyCommand(nested).classes.length > 0, "past the depth limit the command is still classified");
  const wide = Array.from({ length: 5000 }, (_, k) => `echo ${k} $(date)`).join("; ");
  assert.equal(classifyCommand(wide).segments.length, 10_000);
  assert.ok(classifyCommand("$(".repeat(5000)).classes.length > 0);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => classifyCommand(s).classes.length > 0),
    // Fixed unless FUZZ_SEED is given, so a run is repeatable (as in test/robustness/fuzz.test.ts).
    { numRuns: 500, seed: Number(process.env.FUZZ_SEED ?? 20_261_206) },
  );
});

// Nested command substitution: "echo " + '$(echo "'×n + '")'×n. A glob searched anywhere in a word
// (`*$*SECRET*`) once backtracked over every `$`, so n=2,000 took 11.6 s and n=8,000 188 s.
const nestedSubstitution = (n: number): string => "echo " + '$(echo "'.repeat(n) + '")'.repeat(n);

function cpuMs(f: () => void): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const before = process.cpuUsage();
    f();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

// Its time is reported by `npm run bench` (bench/micro.ts); the test after this one checks its growth.
test("nested substitution: a 64 KB line says it is unclassifiable", () => {
  const line = nestedSubstitution(6_600);
  assert.ok(line.length >= 64 * 1024);
  const r = classifyCommand(line);
  assert.equal(r.unclassifiable, true);
  assert.ok(r.matches.some((m) => m.pattern === UNCLASSIFIABLE));
  assert.match(classifyToolCall("Bash", line).basis, new RegExp(UNCLASSIFIABLE));
  assert.equal(classifyCommand("echo $(echo $(date))").unclassifiable, false);
});

test("nested substitution: doubling the nesting at most doubles the time (generous factor)", () => {
  const small = nestedSubstitution(8_000);
  const large = nestedSubstitution(16_000);
  const t1 = Math.max(cpuMs(() => classifyCommand(small)), 1);
  const t2 = cpuMs(() => classifyCommand(large));
  console.log(`nested substitution: n=8000 ${t1.toFixed(1)} ms, n=16000 ${t2.toFixed(1)} ms CPU`);
  assert.ok(t2 < 4 * t1 + 20, `n=8000 ${t1} ms, n=16000 ${t2} ms`);
});

test("nesting 100,000 levels deep neither overflows the stack nor hides a command before it", () => {
  for (const s of [nestedSubstitution(100_000), 'echo "' + '$(echo "'.repeat(100_000), "rm -rf /srv; echo " + "${x:-".repeat(100_000)]) {
    const r = classifyCommand(s);
    assert.ok(r.classes.length > 0);
  }
  assert.ok(classifyCommand("rm -rf /srv; echo " + '$(echo "'.repeat(100_000)).irreversible);
});

test("inline code: a hostile 64 KB script of repeated call heads classifies in linear time", () => {
  const scripts = [(n: number) => `node -e "${"rm(".repeat(n)}"`, (n: number) => `python3 -c "${"open(".repeat(n)}"`, (n: number) => `python3 -c "${"os.system(".repeat(n)}"`];
  for (const make of scripts) {
    const small = make(8_000);
    const large = make(16_000);
    const t1 = Math.max(cpuMs(() => classifyCommand(small)), 1);
    const t2 = cpuMs(() => classifyCommand(large));
    assert.ok(t2 < 4 * t1 + 20, `${small.slice(0, 20)}…: n=8000 ${t1} ms, n=16000 ${t2} ms`);
    assert.ok(cpuMs(() => classifyCommand(make(21_000))) < 200, small.slice(0, 20));
  }
});
