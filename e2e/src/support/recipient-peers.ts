import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

/** A recipient who reads mail with GnuPG 2.2: their own key, made by gpg itself. */
export class GnupgRecipient {
  private constructor(
    readonly address: string,
    private readonly home: string,
  ) {}

  static async create(address: string): Promise<GnupgRecipient> {
    const home = mkdtempSync(join(tmpdir(), 'sealpost-gpg-'));
    await run(
      'gpg',
      [
        '--batch',
        '--homedir',
        home,
        '--passphrase',
        '',
        '--quick-gen-key',
        `Patient <${address}>`,
        'future-default',
        'default',
        '1y',
      ],
      { timeout: TIMEOUT_MS },
    );
    return new GnupgRecipient(address, home);
  }

  async publicKey(): Promise<string> {
    const { stdout } = await run(
      'gpg',
      ['--batch', '--homedir', this.home, '--armor', '--export', this.address],
      { timeout: TIMEOUT_MS },
    );
    return stdout;
  }

  async importKey(armored: string): Promise<void> {
    const file = join(this.home, 'import.asc');
    writeFileSync(file, armored);
    await run('gpg', ['--batch', '--homedir', this.home, '--import', file], {
      timeout: TIMEOUT_MS,
    });
  }

  /** Decrypts and reports gpg's machine-readable status lines (GOODSIG, VALIDSIG, ...). */
  async decryptWithStatus(mail: Buffer): Promise<{ plaintext: Buffer; status: string }> {
    const file = join(this.home, 'message.asc');
    writeFileSync(file, armoredMessageOf(mail));
    const { stdout } = await run(
      'gpg',
      ['--batch', '--homedir', this.home, '--status-fd', '2', '--decrypt', file],
      { timeout: TIMEOUT_MS, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stderr?: Buffer }) => {
      throw new Error(`gpg failed: ${error.stderr?.toString() ?? ''}`);
    });
    const status = await run(
      'gpg',
      ['--batch', '--homedir', this.home, '--status-fd', '1', '--decrypt', file],
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
    );
    return { plaintext: stdout, status: status.stdout };
  }

  /** Decrypts the armored PGP message inside a PGP/MIME mail, as the recipient's client would. */
  async decrypt(mail: Buffer): Promise<Buffer> {
    const file = join(this.home, 'message.asc');
    writeFileSync(file, armoredMessageOf(mail));
    const { stdout } = await run('gpg', ['--batch', '--homedir', this.home, '--decrypt', file], {
      timeout: TIMEOUT_MS,
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

function armoredMessageOf(mail: Buffer): string {
  const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(
    mail.toString('latin1'),
  )?.[0];
  if (!armored) {
    throw new Error('no PGP message in the mail');
  }
  return armored;
}

/** A recipient with an S/MIME certificate, made and read with OpenSSL. */
export class OpensslRecipient {
  private constructor(
    readonly address: string,
    private readonly dir: string,
  ) {}

  static async create(address: string): Promise<OpensslRecipient> {
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-'));
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        `/CN=Recipient/emailAddress=${address}`,
        '-addext',
        `subjectAltName=email:${address}`,
        '-addext',
        'keyUsage=digitalSignature,keyEncipherment',
        '-addext',
        'extendedKeyUsage=emailProtection',
      ],
      { timeout: TIMEOUT_MS },
    );
    return new OpensslRecipient(address, dir);
  }

  async certificate(): Promise<string> {
    const { stdout } = await run('openssl', ['x509', '-in', join(this.dir, 'cert.pem')]);
    return stdout;
  }

  /** Decrypts with `openssl cms` (the default) or the older `openssl smime` command. */
  async decrypt(mail: Buffer, tool: 'cms' | 'smime' = 'cms'): Promise<Buffer> {
    const file = join(this.dir, 'mail.eml');
    writeFileSync(file, mail);
    const { stdout } = await run(
      'openssl',
      [
        tool,
        '-decrypt',
        '-in',
        file,
        '-recip',
        join(this.dir, 'cert.pem'),
        '-inkey',
        join(this.dir, 'key.pem'),
      ],
      { timeout: TIMEOUT_MS, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
