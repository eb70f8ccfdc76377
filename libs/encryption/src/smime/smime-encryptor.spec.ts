import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { encryptSmime, NEUTRAL_SUBJECT, type SmimeMode } from './smime-encryptor';
import { makeTempDir, opensslOutput } from './testing/openssl.runner';
import {
  composeTestMessage,
  createSmimeTestWorld,
  expectSameContent,
  opensslDecrypt,
  type SmimeTestWorld,
  type TestMessage,
} from './testing/smime-test-fixtures';

const MODES: SmimeMode[] = ['enveloped-cbc', 'auth-enveloped-gcm'];

describe('encryptSmime', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let world: SmimeTestWorld;
  let message: TestMessage;
  let fileCount = 0;

  const writeMessage = async (bytes: Buffer): Promise<string> => {
    fileCount += 1;
    const file = join(dir.path, `message-${fileCount}.eml`);
    await writeFile(file, bytes);
    return file;
  };

  beforeAll(async () => {
    dir = await makeTempDir();
    world = await createSmimeTestWorld(dir.path);
    message = await composeTestMessage(world.signer.address, [
      world.alice.address,
      world.bob.address,
    ]);
  });

  afterAll(async () => {
    await dir?.remove();
  });

  describe.each(MODES)('in %s mode', (mode) => {
    it('is opened by openssl cms with the same text, HTML and attachment', async () => {
      const encrypted = encryptSmime({
        mime: message.mime,
        recipientCertPems: [world.alice.certPem],
        mode,
      });

      const result = await opensslDecrypt('cms', await writeMessage(encrypted), world.alice);

      expect(result.stderr).toBe('');
      const inner = await expectSameContent(result.stdout, message);
      expect(inner.subject).toBe(message.subject);
    });

    it('opens for each of two recipients and for nobody else', async () => {
      const file = await writeMessage(
        encryptSmime({
          mime: message.mime,
          recipientCertPems: [world.alice.certPem, world.bob.certPem],
          mode,
        }),
      );

      for (const party of [world.alice, world.bob]) {
        const result = await opensslDecrypt('cms', file, party);
        expect(result.ok).toBe(true);
        await expectSameContent(result.stdout, message);
      }
      expect((await opensslDecrypt('cms', file, world.outsider)).ok).toBe(false);
    });

    it('keeps routing headers outside and the real subject only inside', async () => {
      const encrypted = encryptSmime({
        mime: message.mime,
        recipientCertPems: [world.alice.certPem],
        mode,
      });

      const outer = await simpleParser(encrypted);

      expect(encrypted.includes(message.subject)).toBe(false);
      expect(encrypted.includes('Dear patient')).toBe(false);
      expect(outer.subject).toBe(NEUTRAL_SUBJECT);
      expect(outer.from?.text).toBe(world.signer.address);
      expect(outer.headers.get('to')).toMatchObject({
        text: `${world.alice.address}, ${world.bob.address}`,
      });
      expect(outer.headers.get('cc')).toBeDefined();
      expect(outer.replyTo?.text).toBe('care-team@clinic.example');
      expect(outer.messageId).toMatch(/@sealpost\.example>$/);
      expect(outer.date?.toISOString()).toBe('2026-03-04T05:06:07.000Z');
      expect(outer.headers.get('x-sealpost-message-id')).toMatch(/^msg_/);
      expect(outer.attachments).toHaveLength(1);
      expect(outer.attachments[0].filename).toBe('smime.p7m');
    });

    it('writes outer MIME headers that name the S/MIME type and use CRLF only', () => {
      const encrypted = encryptSmime({
        mime: message.mime,
        recipientCertPems: [world.alice.certPem],
        mode,
      });
      const text = encrypted.toString('latin1');
      const smimeType = mode === 'enveloped-cbc' ? 'enveloped-data' : 'authEnveloped-data';

      expect(text).toContain(
        `\r\nContent-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m\r\n`,
      );
      expect(text).toContain('\r\nContent-Transfer-Encoding: base64\r\n');
      expect(text).toContain('\r\nContent-Disposition: attachment; filename=smime.p7m\r\n');
      expect(text.match(/\r\nMIME-Version:/gi)).toHaveLength(1);
      expect(/[^\r]\n/.test(text)).toBe(false);
    });
  });

  it('uses AES-256-CBC and RSA PKCS#1 v1.5 in EnvelopedData', async () => {
    const encrypted = encryptSmime({
      mime: message.mime,
      recipientCertPems: [world.alice.certPem],
      mode: 'enveloped-cbc',
    });

    const printed = (
      await opensslOutput(['cms', '-cmsout', '-print', '-in', await writeMessage(encrypted)])
    ).toString();

    expect(printed).toContain('contentType: pkcs7-envelopedData');
    expect(printed).toMatch(/algorithm: rsaEncryption/);
    expect(printed).toMatch(/algorithm: aes-256-cbc/);
  });

  it('uses AES-256-GCM with a 16-byte tag and RSA-OAEP/SHA-256 in AuthEnvelopedData', async () => {
    const encrypted = encryptSmime({
      mime: message.mime,
      recipientCertPems: [world.alice.certPem],
      mode: 'auth-enveloped-gcm',
    });

    const printed = (
      await opensslOutput(['cms', '-cmsout', '-print', '-in', await writeMessage(encrypted)])
    ).toString();

    expect(printed).toContain('contentType: id-smime-ct-authEnvelopedData');
    expect(printed).toMatch(/algorithm: rsaesOaep/);
    // Label hash and MGF1 hash are both SHA-256, not the SHA-1 defaults.
    expect(printed.match(/OBJECT +:sha256/g)).toHaveLength(2);
    expect(printed).toMatch(/OBJECT +:mgf1/);
    expect(printed).not.toMatch(/algorithm: rsaEncryption/);
    expect(printed).toMatch(/algorithm: aes-256-gcm/);
    expect(printed).toMatch(/OCTET STRING +\[HEX DUMP\]:[0-9A-F]{24}\n.*INTEGER +:10\n/);
    expect(printed).toMatch(
      /mac: *\n +0000 - (?:[0-9a-f]{2}[ -]){15}[0-9a-f]{2} {3}.{16}\n +unauthAttrs/,
    );
  });

  it('is recovered identically by openssl smime and openssl cms in CBC mode', async () => {
    const file = await writeMessage(
      encryptSmime({
        mime: message.mime,
        recipientCertPems: [world.alice.certPem],
        mode: 'enveloped-cbc',
      }),
    );

    const viaSmime = await opensslDecrypt('smime', file, world.alice);
    const viaCms = await opensslDecrypt('cms', file, world.alice);

    expect(viaSmime.ok).toBe(true);
    expect(viaSmime.stdout.equals(viaCms.stdout)).toBe(true);
    await expectSameContent(viaSmime.stdout, message);
  });

  it('fails to open in GCM mode when one byte of the ciphertext changes', async () => {
    const encrypted = encryptSmime({
      mime: message.mime,
      recipientCertPems: [world.alice.certPem],
      mode: 'auth-enveloped-gcm',
    });
    const [head, body] = encrypted.toString('latin1').split('\r\n\r\n');
    const der = Buffer.from(body, 'base64');
    // 40 bytes from the end is inside the encrypted content: after it come only the last
    // ciphertext bytes, the tag (16) and its header (2).
    der[der.length - 40] ^= 0x01;
    const tampered = Buffer.from(`${head}\r\n\r\n${der.toString('base64')}\r\n`, 'latin1');

    const original = await opensslDecrypt('cms', await writeMessage(encrypted), world.alice);
    const result = await opensslDecrypt('cms', await writeMessage(tampered), world.alice);

    expect(original.ok).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('refuses to encrypt for nobody', () => {
    expect(() =>
      encryptSmime({ mime: message.mime, recipientCertPems: [], mode: 'enveloped-cbc' }),
    ).toThrow(/at least one recipient/);
  });
});
