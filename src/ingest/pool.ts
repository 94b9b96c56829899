import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Config } from "../config.ts";
import { InputError } from "../errors.ts";
import { runFileTask, type FileTask, type TaskEnv, type TaskMessage } from "./file-task.ts";

/**
 * Files are parsed in parallel, one at a time per worker thread, while the main thread stays the
 * single SQLite writer and applies each file's batches in file order (so the store is the same
 * whatever finished first). A worker holds at most MAX_UNACKED batches the writer has not taken,
 * so memory is bounded by workers x MAX_UNACKED x BATCH_ITEMS whatever the inputs.
 *
 * Each worker is given its next TASKS_PER_WORKER files ahead and starts the next as soon as it has
 * posted the last batch of one. Handing it one file at a time made every file wait for the main
 * thread to notice the previous one was done, and the main thread is busy writing: measured on
 * 200 delivery files, worker and writer then each sat idle a third of the time.
 *
 * Small ingests run the same task inline: starting workers (loading the parsers in each) costs
 * more than it saves below POOL_MIN_BYTES of input to read.
 */
export const MAX_UNACKED = 4;
/** Measured on 1,000 delivery files with one worker: 2 ahead took 27.7 s, 6 took 24.4 s, 12 no less. */
export const TASKS_PER_WORKER = 6;
export const POOL_MIN_BYTES = 16 * 1024 * 1024;

export type ToWorker = { type: "task"; id: number; task: FileTask } | { type: "ack" };
export type FromWorker = { id: number; message: TaskMessage } | { id: number; error: { message: string; input: boolean; stack: string } };

/** What the writer reads for one file: the task's messages, in order. */
export type TaskRun = AsyncIterable<TaskMessage>;

export interface TaskRunner {
  run(task: FileTask): TaskRun;
  close(): Promise<void>;
}

/** Runs tasks one after another on this thread, lazily (nothing is read before the writer asks). */
export function inlineRunner(env: TaskEnv): TaskRunner {
  return { run: (task) => runFileTask(task, env), close: async () => {} };
}

/**
 * Workers: one per core but the writer's, or EVIDENCE_WORKERS when set (0 runs inline). The main
 * thread is busy too (it is the single SQLite writer): on 2 cores one worker ingested 200,000
 * CloudTrail calls in 6.9 s and 100,000 agent actions in 5.4 s, two workers in 7.2 s and 5.9 s
 * (three threads sharing two cores), inline 7.7 s and 6.5 s. One core parses inline.
 */
export function defaultWorkerCount(): number {
  const env = process.env.EVIDENCE_WORKERS;
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : availableParallelism() - 1;
}

class Stream implements AsyncIterable<TaskMessage> {
  private readonly queue: (TaskMessage | Error)[] = [];
  private waiting: (() => void) | null = null;
  constructor(private readonly ack: () => void) {}

  push(m: TaskMessage | Error): void {
    this.queue.push(m);
    this.waiting?.();
    this.waiting = null;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TaskMessage> {
    for (;;) {
      while (!this.queue.length) await new Promise<void>((resolve) => (this.waiting = resolve));
      const m = this.queue.shift()!;
      if (m instanceof Error) throw m;
      if (m.type === "items") this.ack();
      yield m;
      if (m.type === "done" || m.type === "unchanged") return;
    }
  }
}

interface Slot {
  worker: Worker;
  /** The tasks given to this worker, in the order it runs them. */
  tasks: Map<number, Stream>;
  /** A worker that crashed or exited takes no more tasks. */
  dead: boolean;
}

/**
 * Installed, this module is compiled JavaScript (dist/) and its worker is worker.js beside it. In a
 * checkout without a build, tsx runs the TypeScript sources: Node 20 does not carry module hooks
 * (`--import tsx`, or tsx registered from code as bin/evidence.js does) into worker threads, so each
 * worker registers tsx first.
 */
function startWorker(config: Config): Worker {
  if (import.meta.url.endsWith(".js")) return new Worker(new URL("./worker.js", import.meta.url), { workerData: { config } });
  const url = new URL("./worker.ts", import.meta.url);
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: { config } });
}

export function workerRunner(config: Config, size: number): TaskRunner {
  const slots: Slot[] = [];
  const queue: { id: number; task: FileTask; stream: Stream; assign(worker: Worker): void }[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    if (slots.every((s) => s.dead)) {
      // Nothing left to run them: fail the waiting tasks rather than leave the writer waiting forever.
      for (const job of queue.splice(0)) job.stream.push(new Error("every parsing worker has stopped"));
      return;
    }
    // Fill the least loaded worker first, so files spread evenly however long each takes.
    for (;;) {
      const live = slots.filter((s) => !s.dead && s.tasks.size < TASKS_PER_WORKER);
      if (!live.length || !queue.length) return;
      const slot = live.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
      const job = queue.shift()!;
      slot.tasks.set(job.id, job.stream);
      job.assign(slot.worker);
      slot.worker.postMessage({ type: "task", id: job.id, task: job.task } satisfies ToWorker);
    }
  };

  for (let i = 0; i < size; i++) {
    const slot: Slot = { worker: startWorker(config), tasks: new Map(), dead: false };
    slot.worker.on("message", (m: FromWorker) => {
      const stream = slot.tasks.get(m.id);
      if (!stream) return;
      if ("error" in m) {
        const error = m.error.input ? new InputError(m.error.message) : Object.assign(new Error(m.error.message), { stack: m.error.stack });
        stream.push(error);
      } else stream.push(m.message);
      if ("error" in m || m.message.type === "done" || m.message.type === "unchanged") {
        slot.tasks.delete(m.id);
        dispatch();
      }
    });
    const stop = (error: Error) => {
      if (slot.dead) return;
      slot.dead = true;
      for (const stream of slot.tasks.values()) stream.push(error);
      slot.tasks.clear();
      dispatch();
    };
    slot.worker.on("error", stop);
    slot.worker.on("exit", (code) => {
      if (!closed) stop(new Error(`parsing worker exited (code ${code})`));
    });
    slots.push(slot);
  }

  return {
    run(task) {
      if (closed) throw new Error("worker pool closed");
      const id = nextId++;
      // Acks go to the worker the task was given to, even after its last message arrived: the writer
      // takes a file's batches later, and a lost ack would leave that worker waiting for ever.
      let owner: Worker | null = null;
      const stream = new Stream(() => owner?.postMessage({ type: "ack" } satisfies ToWorker));
      queue.push({ id, task, stream, assign: (w) => (owner = w) });
      dispatch();
      return stream;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
