import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Generous for a CI box under load; a hung openssl must still end the test. */
const OPENSSL_TIMEOUT_MS = 20_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface OpensslResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the openssl command line. A failing command resolves with `ok: false` so tests can
 * assert on rejection; a missing binary rejects, so the S/MIME tests fail loudly instead of
 * passing without their judge.
 */
export function runOpenssl(args: string[]): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      args,
      { timeout: OPENSSL_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('openssl is not installed; the S/MIME tests need OpenSSL 3'));
          return;
        }
        if (error?.killed) {
          reject(new Error(`openssl ${args[0]} timed out`));
          return;
        }
        resolve({ ok: !error, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** Runs openssl and returns its output, failing with openssl's own message otherwise. */
export async function opensslOutput(args: string[]): Promise<Buffer> {
  const result = await runOpenssl(args);
  if (!result.ok) {
    throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

/** A fresh directory for one test file's artefacts; `remove` deletes it and its contents. */
export async function makeTempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sealpost-smime-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
