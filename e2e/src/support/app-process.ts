import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** One built Sealpost app (dist/apps/NAME) running as a child process, output captured. */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private exited?: Promise<number | null>;

  constructor(
    readonly app: 'api' | 'worker' | 'smtp-gateway',
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    const main = join(REPO_ROOT, 'dist', 'apps', this.app, 'src', 'main.js');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.child = child;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a line the app logs once ready, or fails with its output if it exits. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) {
        throw new Error(`${this.app} exited before ready:\n${this.output.slice(-3000)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.app} not ready in ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) {
      this.child?.kill(signal);
    }
    return (await this.exited) ?? null;
  }

  exitCode(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }
}
