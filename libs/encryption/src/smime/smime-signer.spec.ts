import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { encryptSmime, type SmimeMode } from './smime-encryptor';
import { joinEntity, splitMessage } from './mime-entity.util';
import { signMimeEntity } from './smime-signer';
import { makeTempDir, opensslOutput, runOpenssl } from './testing/openssl.runner';
import {
  composeTestMessage,
  createSmimeTestWorld,
  expectSameContent,
  opensslDecrypt,
  type SmimeTestWorld,
  type TestMessage,
} from './testing/smime-test-fixtures';

describe('S/MIME signing', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let world: SmimeTestWorld;
  let message: TestMessage;
  let fileCount = 0;

  const write = async (bytes: Buffer): Promise<string> => {
    fileCount += 1;
    const file = join(dir.path, `signed-${fileCount}.eml`);
    await writeFile(file, bytes);
    return file;
  };
  const verify = (tool: 'cms' | 'smime', file: string) =>
    runOpenssl([tool, '-verify', '-in', file, '-CAfile', world.caFile]);
  const signer = () => ({ certPem: world.signer.certPem, keyPem: world.signer.keyPem });
  /** The inner entity the encryptor would sign: the message's Content-* fields and body. */
  const entityOf = (mime: Buffer): Buffer => {
    const { headers, body } = splitMessage(mime);
    const contentFields = headers.filter((field) => field.name.startsWith('content-'));
    return joinEntity(
      contentFields.map((field) => field.raw),
      body,
    );
  };

  beforeAll(async () => {
    dir = await makeTempDir();
    world = await createSmimeTestWorld(dir.path);
    message = await composeTestMessage(world.signer.address, [world.alice.address]);
  });

  afterAll(async () => {
    await dir?.remove();
  });

  it('produces multipart/signed that openssl cms and openssl smime verify', async () => {
    const entity = entityOf(message.mime);
    const file = await write(signMimeEntity(entity, signer()));

    const viaCms = await verify('cms', file);
    const viaSmime = await verify('smime', file);

    expect(viaCms.stderr).toContain('Verification successful');
    expect(viaSmime.stderr).toContain('Verification successful');
    expect(viaCms.stdout.equals(entity)).toBe(true);
    await expectSameContent(viaCms.stdout, message);
  });

  it('declares SHA-256 and signs contentType, signingTime and messageDigest', async () => {
    const signed = signMimeEntity(
      entityOf(message.mime),
      signer(),
      new Date('2030-01-02T03:04:05Z'),
    );
    const text = signed.toString('latin1');

    const printed = (
      await opensslOutput(['cms', '-cmsout', '-print', '-in', await write(signed)])
    ).toString();

    expect(text).toMatch(
      /^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256;/,
    );
    expect(printed).toMatch(
      /object: contentType[\s\S]*object: signingTime[\s\S]*object: messageDigest/,
    );
    expect(printed).toContain('UTCTIME:Jan  2 03:04:05 2030 GMT');
    expect(printed).toMatch(/signatureAlgorithm:\s*\n\s*algorithm: rsaEncryption/);
  });

  it('fails verification when one byte of the signed part changes', async () => {
    const signed = signMimeEntity(entityOf(message.mime), signer());
    const at = signed.indexOf('Dear patient');
    const tampered = Buffer.from(signed);
    tampered[at] = 'd'.charCodeAt(0);

    const original = await verify('cms', await write(signed));
    const result = await verify('cms', await write(tampered));

    expect(at).toBeGreaterThan(0);
    expect(original.ok).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/digest failure|verification failure/i);
  });

  it('signs the CRLF form of an entity written with bare LF line ends', async () => {
    const entity = Buffer.from('Content-Type: text/plain\n\nline one\nline two\n');

    const verified = await verify('cms', await write(signMimeEntity(entity, signer())));

    expect(verified.stderr).toContain('Verification successful');
    expect(verified.stdout.toString()).toBe(
      'Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n',
    );
  });

  it('refuses a signing key that does not belong to the certificate', () => {
    expect(() =>
      signMimeEntity(entityOf(message.mime), {
        certPem: world.signer.certPem,
        keyPem: world.alice.keyPem,
      }),
    ).toThrow(/does not belong/);
  });

  describe.each<SmimeMode>(['enveloped-cbc', 'auth-enveloped-gcm'])(
    'signed then encrypted in %s mode',
    (mode) => {
      it('decrypts to a signature openssl accepts over the original content', async () => {
        const encrypted = encryptSmime({
          mime: message.mime,
          recipientCertPems: [world.alice.certPem],
          mode,
          signer: signer(),
        });

        const decrypted = await opensslDecrypt('cms', await write(encrypted), world.alice);
        const verified = await verify('cms', await write(decrypted.stdout));

        expect(encrypted.includes('Dear patient')).toBe(false);
        expect(decrypted.stdout.toString('latin1')).toMatch(/^Content-Type: multipart\/signed;/);
        expect(verified.stderr).toContain('Verification successful');
        const content = await expectSameContent(verified.stdout, message);
        expect(content.subject).toBe(message.subject);
      });
    },
  );

  it('signs and encrypts a message written with bare LF line ends', async () => {
    const lfOnly = Buffer.from(message.mime.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const encrypted = encryptSmime({
      mime: lfOnly,
      recipientCertPems: [world.alice.certPem],
      mode: 'enveloped-cbc',
      signer: signer(),
    });

    const decryptedFile = join(dir.path, 'decrypted-lf.eml');
    await writeFile(
      decryptedFile,
      (await opensslDecrypt('smime', await write(encrypted), world.alice)).stdout,
    );
    const verified = await verify('smime', decryptedFile);

    expect(verified.stderr).toContain('Verification successful');
    const raw = await readFile(decryptedFile, 'latin1');
    expect(/[^\r]\n/.test(raw)).toBe(false);
    const parsed = await simpleParser(verified.stdout);
    expect(parsed.text).toBe(message.text);
  });
});
