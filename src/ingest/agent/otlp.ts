import { isRecord, str, timeRejectReason, toIsoTime } from "../parser.ts";

/**
 * OTLP/JSON (opentelemetry-proto `ExportLogsServiceRequest` / `ExportTraceServiceRequest`, as the
 * collector's file exporter or an HTTP capture writes them) flattened to one plain record per log
 * record or span: attributes become an object, resource attributes travel along. Pure; the vendor
 * mappings (codex-otel.ts, gemini-cli.ts, otlp-genai.ts) read these.
 */
export interface OtlpRecord {
  signal: "log" | "span";
  /** Log: `eventName`, else attribute `event.name`, else a string body. Span: its name. */
  name: string | null;
  /** The string body of a log record (Claude Code puts the prefixed event name there). */
  body: unknown;
  time: string | null;
  /** Set when a time field is present but unusable (out of range, not a time): the reject reason. */
  timeIssue?: string;
  /** Spans only. */
  endTime?: string | null;
  attrs: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string | null;
  traceId: string | null;
  spanId: string | null;
  /** Span status: `ok`, `error` or `unset`. */
  status?: "ok" | "error" | "unset";
  statusMessage?: string | null;
  /** `log record 3` / `span 2`: position inside the document, appended to the line locator. */
  position: string;
}

/** OTLP writes 0 for a time it does not know (opentelemetry-proto logs.proto, `time_unix_nano`): that is absent, not out of range. */
function timeIssue(fields: Record<string, unknown>): { timeIssue?: string } {
  for (const [k, v] of Object.entries(fields)) if (v === 0 || v === "0") fields[k] = undefined;
  const reason = timeRejectReason(fields, Object.keys(fields), "");
  return reason ? { timeIssue: reason } : {};
}

export function isOtlpDocument(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && (Array.isArray(value.resourceLogs) || Array.isArray(value.resourceSpans));
}

/** Converts an OTLP AnyValue (`{stringValue}`, `{intValue:"12"}`, `{kvlistValue:{values}}`…) to plain JSON. */
export function anyValue(v: unknown): unknown {
  if (!isRecord(v)) return v;
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return v.bytesValue;
  if ("arrayValue" in v) return isRecord(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
  if ("kvlistValue" in v) return isRecord(v.kvlistValue) ? keyValues(v.kvlistValue.values) : {};
  return null;
}

/** `[{key, value}]` to an object. */
export function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (isRecord(kv) && typeof kv.key === "string") out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function statusOf(status: unknown): { status: "ok" | "error" | "unset"; statusMessage: string | null } {
  if (!isRecord(status)) return { status: "unset", statusMessage: null };
  // The proto JSON mapping allows the enum as a number or its name.
  const code = status.code;
  const s = code === 2 || code === "STATUS_CODE_ERROR" ? "error" : code === 1 || code === "STATUS_CODE_OK" ? "ok" : "unset";
  return { status: s, statusMessage: str(status.message) };
}

/**
 * Entries otlpRecords skips because they are not objects (`"resourceLogs": ["…"]`, a log record that
 * is a number), with their position, so a parser can reject them instead of dropping them unseen.
 */
export function malformedOtlpEntries(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const levels: [string, string[], string][] = [
    ["resourceLogs", ["scopeLogs", "instrumentationLibraryLogs"], "logRecords"],
    ["resourceSpans", ["scopeSpans", "instrumentationLibrarySpans"], "spans"],
  ];
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  for (const [top, middles, leaves] of levels) {
    list(doc[top]).forEach((r, i) => {
      if (!isRecord(r)) return void out.push(`${top}[${i}]`);
      const middle = middles.find((m) => Array.isArray(r[m])) ?? middles[0]!;
      list(r[middle]).forEach((m, j) => {
        if (!isRecord(m)) return void out.push(`${top}[${i}].${middle}[${j}]`);
        list(m[leaves]).forEach((leaf, k) => {
          if (!isRecord(leaf)) out.push(`${top}[${i}].${middle}[${j}].${leaves}[${k}]`);
        });
      });
    });
  }
  return out;
}

/** Every log record and span of one OTLP/JSON document, in document order. */
export function* otlpRecords(doc: Record<string, unknown>): Iterable<OtlpRecord> {
  let logs = 0;
  let spans = 0;
  for (const rl of Array.isArray(doc.resourceLogs) ? doc.resourceLogs : []) {
    if (!isRecord(rl)) continue;
    const resource = keyValues(isRecord(rl.resource) ? rl.resource.attributes : undefined);
    for (const sl of Array.isArray(rl.scopeLogs) ? rl.scopeLogs : Array.isArray(rl.instrumentationLibraryLogs) ? rl.instrumentationLibraryLogs : []) {
      if (!isRecord(sl)) continue;
      const scope = isRecord(sl.scope) ? str(sl.scope.name) : null;
      for (const lr of Array.isArray(sl.logRecords) ? sl.logRecords : []) {
        logs++;
        if (!isRecord(lr)) continue;
        const attrs = keyValues(lr.attributes);
        const body = anyValue(lr.body);
        const time = toIsoTime(lr.timeUnixNano) ?? toIsoTime(attrs["event.timestamp"]) ?? toIsoTime(lr.observedTimeUnixNano) ?? null;
        yield {
          signal: "log",
          name: str(lr.eventName) ?? str(attrs["event.name"]) ?? (typeof body === "string" ? body : null),
          body,
          time,
          ...(time ? {} : timeIssue({ timeUnixNano: lr.timeUnixNano, "event.timestamp": attrs["event.timestamp"], observedTimeUnixNano: lr.observedTimeUnixNano })),
          attrs,
          resource,
          scope,
          traceId: str(lr.traceId),
          spanId: str(lr.spanId),
          position: `log record ${logs}`,
        };
      }
    }
  }
  for (const rs of Array.isArray(doc.resourceSpans) ? doc.resourceSpans : []) {
    if (!isRecord(rs)) continue;
    const resource = keyValues(isRecord(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of Array.isArray(rs.scopeSpans) ? rs.scopeSpans : Array.isArray(rs.instrumentationLibrarySpans) ? rs.instrumentationLibrarySpans : []) {
      if (!isRecord(ss)) continue;
      const scope = isRecord(ss.scope) ? str(ss.scope.name) : null;
      for (const sp of Array.isArray(ss.spans) ? ss.spans : []) {
        spans++;
        if (!isRecord(sp)) continue;
        const start = toIsoTime(sp.startTimeUnixNano) ?? null;
        yield {
          signal: "span",
          name: str(sp.name),
          body: null,
          time: start,
          ...(start ? {} : timeIssue({ startTimeUnixNano: sp.startTimeUnixNano })),
          endTime: toIsoTime(sp.endTimeUnixNano) ?? null,
          attrs: keyValues(sp.attributes),
          resource,
          scope,
          traceId: str(sp.traceId),
          spanId: str(sp.spanId),
          ...statusOf(sp.status),
          position: `span ${spans}`,
        };
      }
    }
  }
}
