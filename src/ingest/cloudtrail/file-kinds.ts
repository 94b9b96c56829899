import fileKinds from "./file-kinds.json" with { type: "json" };

/** What a path in a CloudTrail bucket copy holds; see file-kinds.json for the patterns and why. */
export type TrailFileKind = "digest" | "insight" | "config" | "lake-sign" | "signature" | "public-keys" | "log" | "export";

export interface TrailFileClass {
  kind: TrailFileKind;
  /** Set when the file is not parsed for events: the reason recorded in the inventory. */
  skip: string | null;
}

const KINDS = fileKinds.kinds.map((k) => ({ kind: k.kind as TrailFileKind, re: new RegExp(k.pattern), skip: k.skip ?? null }));

export function classifyTrailFile(relPath: string): TrailFileClass {
  const p = relPath.replaceAll("\\", "/");
  const hit = KINDS.find((k) => k.re.test(p))!;
  return { kind: hit.kind, skip: hit.skip };
}
