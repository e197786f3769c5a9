/**
 * Memory of process trees from /proc (Linux): a sampler that sums the proportional set size (PSS) of
 * every process under some roots, every 50 ms, and keeps the peak overall and per phase.
 *
 * PSS rather than RSS: PostgreSQL backends all map the same shared buffers, and summing their RSS
 * would count that memory once per backend. For a single process PSS and RSS are nearly equal.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` after the command name (state first), or null when it is gone. */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Parent pid of every live process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields) out.set(Number(name), Number(fields[1]));
  }
  return out;
}

/** `roots` and all their descendants that are alive now. */
export function processTree(roots: readonly number[]): number[] {
  const byParent = new Map<number, number[]>();
  const all = parents();
  for (const [pid, ppid] of all) {
    const list = byParent.get(ppid);
    if (list) list.push(pid);
    else byParent.set(ppid, [pid]);
  }
  const out: number[] = [];
  const todo = roots.filter((p) => all.has(p));
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    todo.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

/** Milliseconds of CPU (user + system) used so far by `roots` and their live descendants. */
export function treeCpuMs(roots: readonly number[]): number {
  let ticks = 0;
  for (const pid of processTree(roots)) {
    const fields = statFields(pid);
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the state); none when it is gone.
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  // USER_HZ is 100 on Linux.
  return ticks * 10;
}

/** Resident set size of one process in bytes, from counters (no page-table walk); 0 when it is gone. */
export function processRss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** PSS of one process in bytes (RSS when smaps_rollup is unreadable); 0 when it is gone. */
export function processMemory(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // fall through
  }
  return processRss(pid);
}

/** Summed memory of a process tree, in bytes. */
export function treeMemory(roots: readonly number[]): number {
  return processTree(roots).reduce((sum, pid) => sum + processMemory(pid), 0);
}

/**
 * How a {@link TreeSampler} measures: `pss` sums the PSS of the roots and all their descendants (for
 * process trees that share memory, like PostgreSQL's); `rss` reads the roots' RSS only, for a single
 * process that starts no other. RSS ≥ PSS, so `rss` never flatters a peak, and it is read from counters:
 * `smaps_rollup` walks the process's page tables under its memory-map lock, and sampling it every 50 ms
 * slowed a DuckDB stage by about 10%.
 */
export type SampleMode = 'pss' | 'rss';

/** Peaks seen by a {@link TreeSampler}. */
export interface MemoryPeaks {
  /** Highest summed memory of the tree, bytes. */
  peak: number;
  /** Highest summed memory while each phase was current. */
  byPhase: Record<string, number>;
  samples: number;
}

/** Samples the memory of a process tree on a timer until stopped. */
export class TreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private phase = 'start';
  private readonly peaks: MemoryPeaks = { peak: 0, byPhase: {}, samples: 0 };

  /**
   * @param roots called at each sample: the tree's current root pids
   * @param everyMs sampling period
   */
  constructor(
    private readonly roots: () => number[],
    private readonly everyMs = 50,
    private readonly mode: SampleMode = 'pss',
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  /** Name the phase the next samples belong to. */
  setPhase(phase: string): void {
    this.sample();
    this.phase = phase;
  }

  sample(): void {
    const bytes = this.mode === 'rss' ? this.roots().reduce((sum, pid) => sum + processRss(pid), 0) : treeMemory(this.roots());
    this.peaks.samples++;
    this.peaks.peak = Math.max(this.peaks.peak, bytes);
    this.peaks.byPhase[this.phase] = Math.max(this.peaks.byPhase[this.phase] ?? 0, bytes);
  }

  stop(): MemoryPeaks {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.peaks;
  }
}

/** CPU contention in milliseconds (see `cpuContention`). */
export interface CpuContention {
  stealMs: number;
  waitedMs: number;
}

/**
 * The machine's CPU contention so far, in milliseconds: `steal`, time the hypervisor ran other guests
 * on this VM's CPUs (`/proc/stat`), and `waited`, time some runnable task waited for a CPU (`/proc/pressure/cpu`,
 * which counts our own threads waiting for each other too). Read before and after a run, the difference
 * tells a run slowed by the machine from one slowed by its own work. Zeros where Linux does not say.
 */
export function cpuContention(): CpuContention {
  let stealMs = 0;
  let waitedMs = 0;
  try {
    // cpu user nice system idle iowait irq softirq steal ...: USER_HZ ticks (100 a second).
    stealMs = Number(readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/)[8] ?? 0) * 10;
  } catch {
    // not Linux
  }
  try {
    waitedMs = Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'latin1'))?.[1] ?? 0) / 1000;
  } catch {
    // no pressure stall information
  }
  return { stealMs, waitedMs };
}

/** The contention since `before` (a `cpuContention()` reading). */
export function cpuContentionSince(before: CpuContention): CpuContention {
  const now = cpuContention();
  return { stealMs: now.stealMs - before.stealMs, waitedMs: now.waitedMs - before.waitedMs };
}
