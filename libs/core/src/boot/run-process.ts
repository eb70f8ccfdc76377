import { BootError } from './boot-error';

/**
 * Runs a process's start function; a failure to start prints one line to stderr and exits 1.
 * Unexpected errors print their type only, since their text may hold configuration values.
 */
export function runProcess(name: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const line =
      error instanceof BootError
        ? error.message
        : `failed to start (${error instanceof Error ? error.name : typeof error}: ` +
          `${error instanceof Error ? error.message.split('\n')[0] : ''})`;
    process.stderr.write(`sealpost ${name}: ${line}\n`);
    process.exit(1);
  });
}
