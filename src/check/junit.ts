import type { GateReason, GateResult } from "./gate.ts";

/**
 * JUnit XML for CI test UIs: one test suite per framework with one test case per control (failed
 * when a gate reason names the control, skipped when the control is manual), and a `gate` suite for
 * what concerns the whole build (coverage minimums and drops, the new-findings limit). Written to
 * validate against both the strict Apache Ant schema (a single failure element per test case,
 * required properties, system-out and system-err) and Jenkins' junit-10.xsd.
 */

/** XML 1.0 cannot carry C0 controls (other than tab, LF, CR), lone surrogates or U+FFFE/U+FFFF, even escaped. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => ` ${k}="${xml(String(v))}"`).join("");

interface Case {
  name: string;
  classname: string;
  failures: GateReason[];
  skipped?: string;
}

function testcase(c: Case): string {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: 0 })}`;
  if (c.failures.length) {
    const [first] = c.failures;
    const body = c.failures.map((f) => f.message).join("\n");
    return `${open}>\n      <failure${attrs({ message: first!.message, type: first!.kind })}>${xml(body)}</failure>\n    </testcase>`;
  }
  if (c.skipped) return `${open}>\n      <skipped${attrs({ message: c.skipped })}/>\n    </testcase>`;
  return `${open}/>`;
}

function suite(name: string, id: number, cases: Case[], timestamp: string, properties: Record<string, string>): string {
  const failures = cases.filter((c) => c.failures.length).length;
  const skipped = cases.filter((c) => !c.failures.length && c.skipped).length;
  return [
    `  <testsuite${attrs({ name, package: "evidence", id, timestamp, hostname: "localhost", tests: cases.length, failures, errors: 0, skipped, time: 0 })}>`,
    "    <properties>",
    ...Object.entries(properties).map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`),
    "    </properties>",
    ...cases.map(testcase),
    "    <system-out/>",
    "    <system-err/>",
    "  </testsuite>",
  ].join("\n");
}

/** `now` is when the check ran (the schema wants a local date-time without a zone: UTC is written). */
export function junitXml(r: GateResult, now: Date): string {
  const timestamp = now.toISOString().slice(0, 19);
  const properties: Record<string, string> = {
    period: r.period,
    buildId: r.buildId,
    baseline: r.baseline ? `${r.baseline.source} (${r.baseline.buildId})` : "none",
  };
  const frameworks = [...new Set(r.controls.map((c) => c.framework))];
  const suites = frameworks.map((framework, i) =>
    suite(
      `evidence ${framework} controls`,
      i,
      r.controls
        .filter((c) => c.framework === framework)
        .map((c) => ({
          name: c.title ? `${c.id} ${c.title}` : c.id,
          classname: `evidence.${framework}`,
          failures: r.failures.filter((f) => f.controls.includes(c.id)),
          ...(c.status === "manual" ? { skipped: `manual control: ${c.reason ?? "tested by hand"}` } : {}),
        })),
      timestamp,
      properties,
    ),
  );
  const buildWide = (kinds: GateReason["kind"][]) => r.failures.filter((f) => kinds.includes(f.kind) && f.controls.length === 0);
  const gate: Case[] = [
    { name: "coverage", classname: "evidence.gate", failures: buildWide(["coverage-minimum", "coverage-drop"]) },
    { name: "new findings", classname: "evidence.gate", failures: r.failures.filter((f) => f.kind === "new-findings-limit") },
    { name: "baseline controls", classname: "evidence.gate", failures: r.failures.filter((f) => f.kind === "control-removed") },
  ];
  suites.push(suite("evidence gate", frameworks.length, gate, timestamp, properties));
  // The Ant schema allows no attributes on <testsuites>: readers add up the suites.
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    "<testsuites>",
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
