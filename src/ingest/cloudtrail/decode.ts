import { isAscii } from "node:buffer";

/**
 * Buffer to string. CloudTrail JSON is almost always pure ASCII (non-ASCII is \u-escaped by
 * AWS), and V8 builds an ASCII string several times faster than it validates UTF-8: measured on
 * 1.4 GB of trail files, 0.2 s against 4.4 s. Non-ASCII input takes the ordinary UTF-8 path.
 */
export function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}
