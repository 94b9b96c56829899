import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass } from "./define.ts";

interface Row { event_id: number; file: string; locator: string; time: string; action: string; account: string | null }

const WHERE = `e.source_kind = 'cloudtrail' AND json_extract(e.attrs, '$.identityType') = 'Root'
  AND json_extract(e.attrs, '$.eventType') <> 'AwsServiceEvent' AND e.time >= :start AND e.time < :end`;

export default defineRule({
  id: "cloudtrail-root-account-unused",
  title: "The root account is not used",
  rationale: "Root actions bypass IAM policies and are not attributable to a person.",
  severity: "high",
  sources: ["cloudtrail"],
  frequency: "continuous",
  evaluate(ctx) {
    // Stored and summarised calls alike (storage.cloudtrail.mode: summarise): root calls are always stored, the rest may be counts.
    const total = ctx.get<{ n: number }>("SELECT coalesce(sum(n), 0) AS n FROM cloudtrail_activity WHERE time >= :start AND time < :end")!.n;
    const population = {
      description: "All CloudTrail events in the period (stored calls, and calls kept as counts per principal, action and day: the size is the sum of n)",
      query: "SELECT time, actor, identity_type, event_type, action, outcome, account, n FROM cloudtrail_activity WHERE time >= :start AND time < :end ORDER BY time, action",
      size: total,
    };
    const rows = ctx.all<Row>(`SELECT ${EVENT_REF_COLUMNS}, e.time, e.action, e.account FROM ${EVENT_FROM} WHERE ${WHERE} ORDER BY e.time, e.id`);
    if (rows.length === 0) return { population, results: [pass("root", `No root activity among ${total} CloudTrail events.`)] };
    return { population, results: rows.map((r) => fail(`root@${r.account}`, `The root user of account ${r.account} called ${r.action}.`, [eventRef(r)], r.time)) };
  },
});
