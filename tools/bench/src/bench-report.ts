import { availableParallelism, loadavg } from 'node:os';
import { CpuMeter, pidsNamed } from './cpu-meter';
import { type SealpostStack } from './sealpost-stack';

/** A figure for the reader, on stdout; the last line of a run is its verdict. */
export function print(line: string): void {
  process.stdout.write(line + '\n');
}

/** What the bench is doing now, on stderr, so stdout holds only figures. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

export function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

/** The figures share the machine's cores with everything else; say so when it is busy. */
export function warnIfBusy(): void {
  const [load] = loadavg();
  if (load > availableParallelism() / 2) {
    progress(
      `warning: load average ${load.toFixed(1)} on ${availableParallelism()} cores; ` +
        'other work will skew the figures',
    );
  }
}

/** CPU of the processes that take part in an end-to-end delivery, where /proc exists. */
export function stackMeter(stack: SealpostStack): CpuMeter | undefined {
  if (!CpuMeter.available()) {
    return undefined;
  }
  const pidOf = (pid: number | undefined) => (pid === undefined ? [] : [pid]);
  return new CpuMeter([
    { name: 'api', pids: () => pidOf(stack.api.pid) },
    { name: 'worker', pids: () => pidOf(stack.worker.pid) },
    { name: 'postgres', pids: () => pidsNamed('postgres') },
    { name: 'redis', pids: () => pidsNamed('redis-server') },
  ]);
}

export function printCpu(used: { name: string; seconds: number }[], milliseconds: number): void {
  const parts = used.map(
    ({ name, seconds: cpu }) =>
      `${name} ${cpu.toFixed(1)} s (${((cpu * 100000) / milliseconds).toFixed(0)}%)`,
  );
  print(
    `cpu during end-to-end (${seconds(milliseconds)} wall; % of one core): ${parts.join(', ')}`,
  );
}
