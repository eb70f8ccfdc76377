import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far, per process id. */
type CpuByPid = Map<number, number>;

export interface CpuSource {
  name: string;
  /** Processes counted under this name, found afresh at each sample. */
  pids: () => number[];
}

/**
 * Where CPU went during a phase, read from /proc (Linux only). PostgreSQL and Redis are
 * counted by process name, so other work on the same servers is counted too.
 */
export class CpuMeter {
  private readonly ticksPerSecond = clockTicks();

  constructor(private readonly sources: CpuSource[]) {}

  static available(): boolean {
    return existsSync('/proc/self/stat');
  }

  /** Starts a phase; the returned function reports CPU seconds per source since then. */
  start(): () => { name: string; seconds: number }[] {
    const before = this.sources.map((source) => this.sample(source));
    const benchBefore = process.cpuUsage();
    return () => {
      const bench = process.cpuUsage(benchBefore);
      const used = this.sources.map((source, index) => {
        let seconds = 0;
        for (const [pid, after] of this.sample(source)) {
          seconds += after - (before[index].get(pid) ?? 0);
        }
        return { name: source.name, seconds };
      });
      return [...used, { name: 'bench', seconds: (bench.user + bench.system) / 1e6 }];
    };
  }

  private sample(source: CpuSource): CpuByPid {
    const sample: CpuByPid = new Map();
    for (const pid of source.pids()) {
      const seconds = this.cpuSeconds(pid);
      if (seconds !== undefined) {
        sample.set(pid, seconds);
      }
    }
    return sample;
  }

  private cpuSeconds(pid: number): number | undefined {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces and parentheses; the numeric fields follow the last
      // ')', utime and stime being the 14th and 15th fields of the line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / this.ticksPerSecond;
    } catch {
      return undefined;
    }
  }
}

/** Ids of the running processes whose command name is `name` (e.g. postgres). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended between listing and reading
    }
  }
  return pids;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    // The Linux default; only used when getconf is missing.
    return 100;
  }
}
