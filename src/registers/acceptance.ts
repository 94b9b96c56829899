import picomatch from "picomatch";
import type { Period } from "../period.ts";
import type { RegisterRow } from "./read.ts";
import type { RiskAcceptance } from "./schema.ts";

/**
 * Risk acceptances judged at the period end: an acceptance covers a finding only while it is in
 * force on the period's last day, so moving the period past its expiry re-opens the finding.
 */
export type AcceptanceState = "active" | "expired" | "pending" | "revoked";

/** A type alias (not an interface) so that it stays assignable to Record<string, unknown> for generic renderers. */
export type AcceptanceRef = {
  id: string;
  status: AcceptanceState;
  approved: string;
  expires: string;
  owner: string;
  approver: string;
  file: string;
  locator: string;
};

/** The period's last calendar day in its own time zone (`expires: 2026-10-31` still covers October). */
export function lastDayOf(period: Period): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: period.timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(period.end.getTime() - 1),
  );
}

export function acceptanceState(a: RiskAcceptance, lastDay: string): AcceptanceState {
  if (a.status === "revoked") return "revoked";
  if (a.approved > lastDay) return "pending";
  return a.expires < lastDay ? "expired" : "active";
}

export interface AcceptableFinding {
  id: string;
  controlIds: string[];
  subject: string;
  evidence: { ref: string }[];
}

/** By finding id, or by control narrowed to the `resources` patterns (matched on subject and evidence refs). */
export function acceptanceCovers(a: RiskAcceptance, f: AcceptableFinding): boolean {
  if (a.findings.includes(f.id)) return true;
  if (!f.controlIds.some((c) => a.controls.includes(c))) return false;
  if (a.resources.length === 0) return true;
  // `bash` makes `*` cross "/" (ARNs and paths are single subjects here).
  const match = picomatch(a.resources, { bash: true, dot: true, nocase: true });
  return match(f.subject) || f.evidence.some((e) => match(e.ref));
}

const PREFERENCE: AcceptanceState[] = ["active", "expired", "pending", "revoked"];

/** The acceptance that decides a finding: an active one if any, else the one that explains why it is open. */
export function acceptanceFor(acceptances: readonly RegisterRow<RiskAcceptance>[], f: AcceptableFinding, lastDay: string): AcceptanceRef | undefined {
  const matches = acceptances
    .filter((a) => acceptanceCovers(a.value, f))
    .map((a) => ({
      id: a.value.id, status: acceptanceState(a.value, lastDay), approved: a.value.approved, expires: a.value.expires, owner: a.value.owner,
      approver: a.value.approver, file: a.file, locator: a.locator,
    }))
    .sort((x, y) => PREFERENCE.indexOf(x.status) - PREFERENCE.indexOf(y.status) || y.expires.localeCompare(x.expires) || x.id.localeCompare(y.id));
  return matches[0];
}
