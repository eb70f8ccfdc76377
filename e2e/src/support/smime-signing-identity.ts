import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

/**
 * A CA and an organisation signing identity made with the OpenSSL command line, the way an
 * administrator would: a PKCS#1 key and a certificate for digital signatures and email
 * protection. Verifiers trust `caFile`.
 */
export class SmimeSigningIdentity {
  private constructor(
    private readonly dir: string,
    readonly address: string,
  ) {}

  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  get certificatePem(): string {
    return readFileSync(join(this.dir, 'org.pem'), 'utf8');
  }

  get privateKeyPem(): string {
    return readFileSync(join(this.dir, 'org.key'), 'utf8');
  }

  static async create(address: string): Promise<SmimeSigningIdentity> {
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-signer-'));
    const at = (name: string) => join(dir, name);
    const openssl = (args: string[]) => run('openssl', args, { timeout: TIMEOUT_MS });

    await openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30',
      '-keyout', at('ca.key'), '-out', at('ca.pem'), '-subj', '/CN=Sealpost e2e SMIME CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]); // prettier-ignore
    await openssl(['genrsa', '-traditional', '-out', at('org.key'), '2048']);
    await openssl([
      'req', '-new', '-key', at('org.key'), '-out', at('org.csr'),
      '-subj', `/CN=Example Clinic/emailAddress=${address}`,
    ]); // prettier-ignore
    writeFileSync(
      at('org.ext'),
      'keyUsage=critical,digitalSignature\n' +
        'extendedKeyUsage=emailProtection\n' +
        `subjectAltName=email:${address}\n`,
    );
    await openssl([
      'x509', '-req', '-in', at('org.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'),
      '-set_serial', '0x5ea1', '-days', '30', '-extfile', at('org.ext'), '-out', at('org.pem'),
    ]); // prettier-ignore
    return new SmimeSigningIdentity(dir, address);
  }

  /** Runs `openssl cms -verify` against the CA; resolves with the signed content. */
  async verify(signedMail: Buffer): Promise<Buffer> {
    const file = join(this.dir, 'signed.eml');
    writeFileSync(file, signedMail);
    const { stdout } = await run(
      'openssl',
      ['cms', '-verify', '-in', file, '-CAfile', this.caFile],
      {
        timeout: TIMEOUT_MS,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((error: { stderr?: Buffer }) => {
      throw new Error(`openssl cms -verify refused the signature: ${error.stderr?.toString()}`);
    });
    return stdout;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
