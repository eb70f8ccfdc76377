import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root, from dist/tools/bench/src where the built bench runs. */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

// Enough of an app's output to explain a failed start or a crash, without growing unbounded.
const OUTPUT_KEPT_CHARS = 16_000;
// A graceful stop drains the worker's jobs; past this the app is killed so the bench ends.
const STOP_TIMEOUT_MS = 15_000;

/** One built Sealpost app (dist/apps/NAME/src/main.js) as a child process, output kept. */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly app: 'api' | 'worker' | 'smtp-gateway',
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
  ) {}

  start(): void {
    const main = join(REPO_ROOT, 'dist', 'apps', this.app, 'src', 'main.js');
    const child = spawn(process.execPath, [...this.nodeArgs, main], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.child = child;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the app wrote, for a failure report. */
  tail(chars = 3000): string {
    return this.output.slice(-chars);
  }

  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
