import { StringDecoder } from "node:string_decoder";
import limits from "./limits.json" with { type: "json" };

export interface InputLimits {
  maxLineChars: number;
  gzipMaxBytes: number;
  gzipMaxRatio: number;
  gzipRatioFloorBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxLineChars: limits.maxLineChars,
  gzipMaxBytes: limits.gzipMaxBytes,
  gzipMaxRatio: limits.gzipMaxRatio,
  gzipRatioFloorBytes: limits.gzipRatioFloorBytes,
};

/** A line over the cap, skipped without being kept: the reader turns it into a reject. */
export class LineTooLong {
  constructor(
    readonly chars: number,
    readonly limit: number,
  ) {}

  get message(): string {
    return `line of ${this.chars} characters, over the ${this.limit}-character limit; skipped`;
  }
}

/**
 * Splits a text stream into lines (LF or CRLF; UTF-8 decoded across chunk boundaries, invalid
 * bytes becoming U+FFFD), yielding the lines completed by each chunk together: a file of millions
 * of blank lines costs a loop step per line, not an async step. Memory is bounded by `maxChars`:
 * once a line outgrows it, its text is dropped and only its length is counted until the newline.
 */
export async function* boundedLines(chunks: AsyncIterable<Buffer | string>, maxChars: number = DEFAULT_INPUT_LIMITS.maxLineChars): AsyncIterable<(string | LineTooLong)[]> {
  const decoder = new StringDecoder("utf8");
  let parts: string[] = [];
  let length = 0;
  let overflow = false;
  const take = (piece: string) => {
    length += piece.length;
    if (overflow) return;
    if (length > maxChars) {
      overflow = true;
      parts = [];
    } else parts.push(piece);
  };
  const finish = (): string | LineTooLong => {
    const out = overflow ? new LineTooLong(length, maxChars) : parts.length === 1 ? parts[0]! : parts.join("");
    parts = [];
    length = 0;
    overflow = false;
    return typeof out === "string" && out.endsWith("\r") ? out.slice(0, -1) : out;
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    // split is native: a chunk of thousands of short lines costs one call, not a loop step each.
    const pieces = text.split("\n");
    const last = pieces.pop()!;
    if (pieces.length) {
      const done: (string | LineTooLong)[] = new Array(pieces.length);
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        if (i === 0 && (length > 0 || overflow)) {
          take(piece);
          done[i] = finish();
        } else if (piece.length > maxChars) done[i] = new LineTooLong(piece.length, maxChars);
        else done[i] = piece.charCodeAt(piece.length - 1) === 13 ? piece.slice(0, -1) : piece;
      }
      yield done;
    }
    if (last) take(last);
  }
  const tail = decoder.end();
  if (tail) take(tail);
  if (length > 0 || overflow) yield [finish()];
}
