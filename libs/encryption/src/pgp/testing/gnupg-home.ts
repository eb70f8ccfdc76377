import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Key generation in the agent and RSA decryption stay well below this on a slow CI host. */
const GPG_TIMEOUT_MS = 20_000;

export interface GpgDecryption {
  plaintext: Buffer;
  /** `--status-fd` lines (GOODSIG, VALIDSIG, DECRYPTION_OKAY, ...). */
  status: string;
}

/**
 * A throw-away GnuPG home: the judge of PGP tests. Real GnuPG 2.2 must read what Sealpost
 * writes, so the tests fail (never skip) when `gpg` is missing.
 */
export class GnupgHome {
  private counter = 0;

  private constructor(readonly dir: string) {}

  static async create(): Promise<GnupgHome> {
    try {
      await run('gpg', ['--version'], { timeout: GPG_TIMEOUT_MS });
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new Error(`GnuPG (gpg) is required for the PGP tests and could not run: ${cause}`);
    }
    // Short path: gpg-agent's socket lives inside the home and socket paths are limited.
    const dir = await mkdtemp(join(tmpdir(), 'sp-gpg-'));
    await chmod(dir, 0o700);
    return new GnupgHome(dir);
  }

  async importKey(armored: string): Promise<void> {
    const file = await this.writeTemp('key.asc', armored);
    await this.gpg(['--import', file]);
  }

  async decrypt(armored: string): Promise<GpgDecryption> {
    const input = await this.writeTemp('message.asc', armored);
    const output = join(this.dir, `plain-${this.counter}.bin`);
    const { stdout } = await this.gpg(['--status-fd', '1', '--output', output, '--decrypt', input]);
    return { plaintext: await readFile(output), status: stdout };
  }

  /** Encrypts with GnuPG itself, to prove a key is usable from the other side. */
  async encryptTo(fingerprint: string, plaintext: string): Promise<string> {
    const input = await this.writeTemp('plain.txt', plaintext);
    const output = join(this.dir, `cipher-${this.counter}.asc`);
    await this.gpg([
      '--trust-model',
      'always',
      '--armor',
      '--recipient',
      fingerprint,
      '--output',
      output,
      '--encrypt',
      input,
    ]);
    return readFile(output, 'utf8');
  }

  async listKeys(): Promise<string> {
    const { stdout } = await this.gpg(['--with-colons', '--list-keys']);
    return stdout;
  }

  async dispose(): Promise<void> {
    await run('gpgconf', ['--homedir', this.dir, '--kill', 'gpg-agent'], {
      timeout: GPG_TIMEOUT_MS,
    }).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async gpg(args: string[]): Promise<{ stdout: string; stderr: string }> {
    const base = ['--batch', '--homedir', this.dir, '--pinentry-mode', 'loopback'];
    return run('gpg', [...base, '--passphrase', '', ...args], { timeout: GPG_TIMEOUT_MS });
  }

  private async writeTemp(name: string, content: string): Promise<string> {
    this.counter += 1;
    const file = join(this.dir, `${this.counter}-${name}`);
    await writeFile(file, content);
    return file;
  }
}
