/**
 * CPU per thread of the benchmarked process, for the ingest stages: which thread is the critical
 * path (the parsing worker or the SQLite writer) shows here, where the process's total CPU time
 * mixes them. Linux only (/proc); elsewhere every figure is null.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ThreadSplit {
  /** The main thread: the SQLite writer during an ingest. */
  writer: number;
  /** Threads started during the measurement: the parsing workers. */
  workers: number;
  /** Threads that were there before: V8's GC helpers, libuv's pool. */
  other: number;
}

let tick: number | undefined;

/**
 * CPU seconds so far of each thread of this process, by thread id, from /proc/self/task/<tid>/stat
 * (utime and stime, fields 14 and 15, in clock ticks: proc(5)); null where there is no /proc.
 */
export function threadCpu(): Map<string, number> | null {
  try {
    tick ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const out = new Map<string, number>();
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / tick);
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * Samples every thread's CPU every 50 ms from construction until `stop`. A thread's last sample
 * stands for it once it has exited, so a worker's final 50 ms may be missed.
 */
export class ThreadSampler {
  private readonly before = threadCpu();
  private readonly peak = new Map(this.before ?? []);
  private readonly timer = setInterval(() => this.sample(), 50);

  private sample(): void {
    threadCpu()?.forEach((cpu, tid) => this.peak.set(tid, Math.max(cpu, this.peak.get(tid) ?? 0)));
  }

  stop(): ThreadSplit | null {
    clearInterval(this.timer);
    this.sample();
    if (!this.before) return null;
    let writer = 0;
    let workers = 0;
    let other = 0;
    for (const [tid, cpu] of this.peak) {
      const spent = cpu - (this.before.get(tid) ?? 0);
      if (tid === String(process.pid)) writer += spent;
      else if (this.before.has(tid)) other += spent;
      else workers += spent;
    }
    const r = (x: number) => Math.round(x * 100) / 100;
    return { writer: r(writer), workers: r(workers), other: r(other) };
  }
}
