import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config.ts";
import { InputError } from "../errors.ts";
import { createTaskEnv, runFileTask, type FileTask } from "./file-task.ts";
import { FILE_PARSERS } from "./registry.ts";
import { MAX_UNACKED, type FromWorker, type ToWorker } from "./pool.ts";

/**
 * A parsing worker (src/ingest/pool.ts): reads, hashes, parses, summarises and redacts one file at a
 * time and posts the batches. It waits for the main thread to take batches before posting more than
 * MAX_UNACKED, so a file far ahead of the writer holds a few batches, never the whole file.
 */
const port = parentPort!;
const env = createTaskEnv((workerData as { config: Config }).config, FILE_PARSERS);
let unacked = 0;
let wake: (() => void) | null = null;

port.on("message", (m: ToWorker) => {
  if (m.type === "ack") {
    unacked--;
    wake?.();
    wake = null;
  } else void run(m.id, m.task);
});

function post(m: FromWorker): void {
  port.postMessage(m);
}

async function run(id: number, task: FileTask): Promise<void> {
  unacked = 0;
  try {
    for await (const m of runFileTask(task, env)) {
      if (m.type === "items") {
        while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (wake = resolve));
        unacked++;
      }
      post({ id, message: m });
    }
  } catch (error) {
    post({ id, error: { message: (error as Error).message, input: error instanceof InputError, stack: (error as Error).stack ?? "" } });
  }
}
