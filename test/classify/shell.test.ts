import { test } from "node:test";
import assert from "node:assert/strict";
import table from "../fixtures/classify/shell-commands.json" with { type: "json" };
import raw from "../../src/classify/command-patterns.json" with { type: "json" };
import { classifyCommand, splitStatements } from "../../src/classify/shell.ts";
import { compileAlternatives, compilePatterns, matchArg } from "../../src/classify/shell-patterns.ts";
import { parseShell } from "../../src/classify/shell-parse.ts";

type Label = "irreversible" | "destructive" | "benign";
interface Row {
  command: string | string[];
  expect: Label;
  core?: boolean;
  classes?: string[];
  reason: string;
}
const rows = table.cases as Row[];

function labelOf(command: string | string[]): Label {
  const r = classifyCommand(command);
  return r.irreversible ? "irreversible" : r.destructive ? "destructive" : "benign";
}

const show = (c: string | string[]): string => JSON.stringify(c);

test("the corpus has at least 300 commands covering all three labels, each with its reason", () => {
  assert.ok(rows.length >= 300, `only ${rows.length} rows`);
  for (const r of rows) assert.ok(typeof r.reason === "string" && r.reason.length > 5, `no reason for ${show(r.command)}`);
  for (const l of ["irreversible", "destructive", "benign"] as const) {
    assert.ok(rows.filter((r) => r.expect === l).length >= 30, `too few ${l} rows`);
  }
  const keys = rows.map((r) => show(r.command));
  assert.equal(new Set(keys).size, keys.length, "duplicate commands in the table");
});

test("precision and recall of the destructive and irreversible labels over the table", () => {
  const score = (predicted: (r: Row, got: Label) => boolean, actual: (r: Row) => boolean) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const r of rows) {
      const got = labelOf(r.command);
      const p = predicted(r, got);
      const a = actual(r);
      if (p && a) tp++;
      else if (p) fp++;
      else if (a) fn++;
      if (p !== a) misses.push(`${show(r.command)}: expected ${r.expect}, got ${got}`);
    }
    return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), misses };
  };
  const d = score((_, got) => got !== "benign", (r) => r.expect !== "benign");
  const i = score((_, got) => got === "irreversible", (r) => r.expect === "irreversible");
  console.log(
    `shell classifier: ${rows.length} commands, destructive precision ${d.precision.toFixed(3)} recall ${d.recall.toFixed(3)}; ` +
      `irreversible precision ${i.precision.toFixed(3)} recall ${i.recall.toFixed(3)}`,
  );
  for (const m of new Set([...d.misses, ...i.misses])) console.log(`  mismatch ${m}`);
  assert.ok(d.precision >= 0.98, `destructive precision ${d.precision}`);
  assert.ok(d.recall >= 0.95, `destructive recall ${d.recall}`);
  assert.ok(i.precision >= 0.9, `irreversible precision ${i.precision}`);
  assert.ok(i.recall >= 0.9, `irreversible recall ${i.recall}`);
});

for (const r of rows.filter((x) => x.core)) {
  test(`core: ${show(r.command)} is ${r.expect} (${r.reason})`, () => {
    const got = classifyCommand(r.command);
    assert.equal(labelOf(r.command), r.expect);
    if (r.classes) assert.deepEqual(got.classes, r.classes);
  });
}

test("result shape: classes sorted and unique, never empty, flags consistent with classes", () => {
  for (const r of rows) {
    const got = classifyCommand(r.command);
    assert.ok(got.classes.length > 0, show(r.command));
    assert.deepEqual(got.classes, [...new Set(got.classes)].sort());
    assert.equal(got.destructive, got.classes.includes("destructive") || got.classes.includes("irreversible"));
    assert.equal(got.irreversible, got.classes.includes("irreversible"));
    if (got.irreversible) assert.ok(got.classes.includes("destructive"), "irreversible implies destructive");
  }
  assert.deepEqual(classifyCommand("").classes, ["execute"]);
  assert.deepEqual(classifyCommand("frobnicate --all").classes, ["execute"]);
});

test("unwrapping: sudo with flags, env, assignments, nohup/time/xargs leave the real command as the segment", () => {
  assert.deepEqual(classifyCommand("sudo -u root -E rm -rf /srv").segments, ["rm -rf /srv"]);
  assert.deepEqual(classifyCommand("FOO=1 env -u HOME BAR=2 nohup time -p rm -rf /x").segments, ["rm -rf /x"]);
  assert.deepEqual(classifyCommand("find . -name '*.o' | xargs -0 -n 10 rm -f").segments, ["find . -name *.o", "rm -f"]);
  assert.deepEqual(classifyCommand("timeout -s KILL 30s kubectl delete ns x").segments, ["kubectl delete ns x"]);
  assert.deepEqual(classifyCommand("command -v rm").segments, ["command -v rm"], "command -v is a lookup, not a wrapper");
  const sudo = classifyCommand("sudo rm -rf /var/cache");
  assert.ok(sudo.classes.includes("privilege-change"));
  assert.deepEqual(
    sudo.matches.find((m) => m.pattern === "sudo"),
    { pattern: "sudo", segment: "sudo rm -rf /var/cache", class: "privilege-change" },
  );
});

test("unwrapping: bash -lc, sh -c, zsh -c and Codex argv arrays", () => {
  const codex = classifyCommand(["bash", "-lc", "kubectl delete deploy api"]);
  assert.deepEqual(codex.segments, ["kubectl delete deploy api"]);
  assert.deepEqual(codex.matches, [{ pattern: "kubectl-delete", segment: "kubectl delete deploy api", class: "destructive" }]);
  assert.deepEqual(classifyCommand(["zsh", "-c", "cd /srv && git push -f origin main"]).segments, ["cd /srv", "git push -f origin main"]);
  assert.deepEqual(classifyCommand(`sh -c 'bash -lc "rm -rf /tmp/x"'`).segments, ["rm -rf /tmp/x"]);
  assert.deepEqual(classifyCommand(["bash", "-lc", "ls"]).classes, ["read"]);
  assert.equal(labelOf(["bash", "deploy.sh"]), "benign", "a script file is opaque");
});

test("splitting on && || ; | and newlines, and looking inside $(…), backticks and heredocs", () => {
  assert.deepEqual(classifyCommand("a && b || c; d | e\nf").segments, ["a", "b", "c", "d", "e", "f"]);
  const sub = classifyCommand("echo $(rm -rf x) `git reset --hard`");
  assert.deepEqual(sub.segments, ["echo $(rm -rf x) `git reset --hard`", "rm -rf x", "git reset --hard"]);
  const heredoc = classifyCommand("psql <<EOF\nSELECT 1;\nDROP TABLE x;\nEOF");
  assert.ok(heredoc.irreversible);
  assert.deepEqual(
    heredoc.matches.filter((m) => m.class === "irreversible"),
    [{ pattern: "sql-drop-object-data", segment: "DROP TABLE x", class: "irreversible" }],
  );
  assert.equal(labelOf("cat > x.sql <<'EOF'\nDROP TABLE x;\nEOF"), "benign", "a heredoc written to a file runs nothing");
  assert.equal(labelOf("cat <<EOF > notes.txt\n$(rm -rf ~/x)\nEOF"), "irreversible", "unquoted heredocs expand $(…)");
  assert.equal(labelOf("cat <<'EOF' > notes.txt\n$(rm -rf ~/x)\nEOF"), "benign", "quoted heredocs do not");
});

test("git global options are skipped before the subcommand", () => {
  const r = classifyCommand("git -C /srv/app -c core.pager=cat --git-dir=.git push --force origin main");
  assert.ok(r.irreversible);
  assert.ok(r.matches.some((m) => m.pattern === "git-push-force-shared-branch"));
  assert.equal(labelOf("git -C repo log -c"), "benign", "-c after the subcommand is log's own flag");
});

test("safe look-alikes are not destructive", () => {
  for (const c of [
    "git push --force-with-lease origin main",
    "terraform plan -destroy",
    "aws ec2 describe-instances",
    "kubectl get ns",
    "helm template chart",
    "kubectl delete ns prod --dry-run=server",
    "az deployment group create -g rg -f main.bicep --what-if",
    "aws s3 rm s3://b --recursive --dryrun",
  ]) {
    assert.equal(labelOf(c), "benign", c);
  }
  assert.equal(labelOf("kubectl delete ns prod --dry-run=none"), "irreversible", "--dry-run=none really deletes");
});

test("pipes: network output run by an interpreter is execute + network", () => {
  const r = classifyCommand("curl -fsSL https://x.sh | bash");
  assert.deepEqual(r.classes, ["execute", "network"]);
  assert.ok(r.matches.some((m) => m.pattern === "network-pipe-to-interpreter" && m.segment === "bash"));
  assert.equal(labelOf("echo 'DROP TABLE t' | psql app"), "irreversible");
  assert.equal(labelOf("printf 'rm -rf /srv\\n' | sh"), "irreversible");
});

test("redirects: writing a file is write, writing a raw disk is irreversible", () => {
  assert.deepEqual(classifyCommand("echo hi > out.txt").classes, ["read", "write"]);
  assert.deepEqual(classifyCommand("echo hi > /dev/null 2>&1").classes, ["read"]);
  assert.ok(classifyCommand("cat image.iso > /dev/sdb").irreversible);
});

test("SQL statements are split outside quotes and comments", () => {
  assert.deepEqual(splitStatements("SELECT ';'; -- DROP TABLE x;\nDELETE FROM t /* ; */ WHERE id = 1;", "sql"), [
    "SELECT ';'",
    "DELETE FROM t WHERE id = 1",
  ]);
  assert.deepEqual(splitStatements("\\dt\nSELECT 1", "sql"), ["\\dt", "SELECT 1"]);
});

test("the parser keeps quoting, fd redirections and heredoc bodies straight", () => {
  const [first, second] = parseShell(`FOO="a b" cmd 'x;y' 2>&1 >>log <<-EOF | next\n\tbody $(inner)\n\tEOF`);
  assert.deepEqual(first?.argv, ["FOO=a b", "cmd", "x;y"]);
  assert.deepEqual(first?.redirects, [
    { op: ">&", target: "1" },
    { op: ">>", target: "log" },
    { op: "<<-", target: "EOF", body: "body $(inner)" },
  ]);
  assert.deepEqual(first?.subs, ["inner"]);
  assert.deepEqual(second?.argv, ["next"]);
  assert.equal(second?.pipedFrom, first);
});

test("pattern data: every pattern compiles and the loader rejects bad data", () => {
  assert.doesNotThrow(() => compilePatterns(raw));
  const dup = structuredClone(raw);
  dup.patterns.push(dup.patterns[0]!);
  assert.throws(() => compilePatterns(dup), /duplicate id rm-recursive/);
  const unknownKey = structuredClone(raw) as { patterns: Record<string, unknown>[] };
  unknownKey.patterns[0]!["flag"] = [["-r"]];
  assert.throws(() => compilePatterns(unknownKey));
  const badClass = structuredClone(raw) as { patterns: { classes: string[] }[] };
  badClass.patterns[0]!.classes = ["dangerous"];
  assert.throws(() => compilePatterns(badClass));
});

test("inline interpreter code is read: shell strings through the classifier, destructive library calls by pattern", () => {
  const cases: [string, Label][] = [
    [`python3 -c "import shutil; shutil.rmtree('/srv/data')"`, "irreversible"],
    [`python -c "import os; os.remove('/etc/passwd')"`, "destructive"],
    [`node -e "require('child_process').execSync('rm -rf /')"`, "irreversible"],
    [`ruby -e "require 'fileutils'; FileUtils.rm_rf('/srv')"`, "irreversible"],
    [`perl -e "system('rm -rf /home/u')"`, "irreversible"],
    [`python3 -c "import subprocess; subprocess.run(['rm', '-rf', '/srv'], check=True)"`, "irreversible"],
    [`node -e "require('child_process').spawn('rm', ['-rf', '/'], { stdio: 'inherit' })"`, "irreversible"],
    [`node --eval "require('fs').rmSync('/srv/app', { recursive: true, force: true })"`, "irreversible"],
    ["ruby -e '`rm -rf /tmp/x`'", "irreversible"],
    [`perl -e 'qx(rm -rf /x)'`, "irreversible"],
    [`php -r 'unlink("/etc/hosts");'`, "destructive"],
    [`python3 -c "import os; os.system('kubectl delete pod web-1')"`, "destructive"],
    [`python3 -c "print(1)"`, "benign"],
    [`node -e "console.log(require('fs').readFileSync('x', 'utf8'))"`, "benign"],
    [`perl -pi -e 's/unlink/remove/' notes.txt`, "benign"],
    [`php -r 'echo shell_exec("ls -la");'`, "benign"],
  ];
  for (const [c, want] of cases) assert.equal(labelOf(c), want, c);
});

test("force flags with a value, and rm without operands or with --version", () => {
  assert.equal(labelOf("git push --force=true origin main"), "irreversible");
  assert.equal(labelOf("git push --force=yes origin feature"), "destructive");
  assert.equal(labelOf("git push --force=false origin feature"), "benign");
  assert.equal(labelOf("kubectl delete pod x --dry-run=false"), "destructive");
  assert.equal(labelOf("rm --version"), "benign");
  assert.equal(labelOf("rm"), "benign");
  assert.equal(labelOf("rm -rf"), "benign");
  assert.equal(labelOf("find . -name '*.pyc' | xargs rm -f"), "destructive", "xargs supplies the operands");
  assert.equal(labelOf("rm -f build.log"), "destructive");
});

test("glob alternatives keep glob meaning whichever way they are matched", () => {
  const m = compileAlternatives(["*$*SECRET*", "*.ssh/*_rsa", "release/*", "4???", "*.pem", "of=/dev/*"]);
  const yes = ["$MY_SECRET", "x=${DB_SECRET}", "/home/u/.ssh/id_rsa", "release/1.2", "4755", "key.pem", "of=/dev/sda"];
  const no = ["SECRET$", "MY_SECRET", "/home/u/.ssh/id_rsa.pub", "prerelease/1", "47555", "key.pem.bak", "if=/dev/sda"];
  for (const w of yes) assert.ok(matchArg(m, w, false), w);
  for (const w of no) assert.ok(!matchArg(m, w, false), w);
});
