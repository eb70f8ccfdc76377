import { randomBytes, randomUUID } from 'node:crypto';
import { type AddressObject, simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { generateKey, readPrivateKey, revokeKey } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';
import { generateOrganisationKey, type OrganisationKey } from './pgp-key-generator';
import { encryptPgpMime } from './pgp-mime-encryptor';
import { GnupgHome } from './testing/gnupg-home';

const SUBJECT = 'Lab results for Jane Roe: HbA1c 9.1%';
const TEXT = 'Dear Jane, your HbA1c is 9.1 % — please book a follow-up. Résumé attached.';
const HTML = '<p>Dear Jane, your <b>HbA1c</b> is 9.1 % — please book a follow-up.</p>';

function address(local: string): string {
  return `${local}-${randomUUID().slice(0, 8)}@clinic.example`;
}

function compose(options: { attachment?: Buffer; html?: boolean } = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from: 'Clinic <noreply@clinic.example>',
    to: 'Jane Roe <jane@patient.example>',
    cc: 'Records <records@clinic.example>',
    replyTo: 'desk@clinic.example',
    subject: SUBJECT,
    text: TEXT,
    html: options.html === false ? undefined : HTML,
    headers: { 'X-Sealpost-Message-Id': 'msg-42' },
    messageId: '<msg-42@clinic.example>',
    date: new Date('2026-03-01T10:00:00Z'),
    attachments: options.attachment
      ? [{ filename: 'results.pdf', contentType: 'application/pdf', content: options.attachment }]
      : [],
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): string | undefined {
  return (Array.isArray(field) ? field[0] : field)?.value[0]?.address;
}

function armoredPart(message: Buffer): string {
  const match = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(
    message.toString('latin1'),
  );
  if (!match) {
    throw new Error('no armored PGP message in the output');
  }
  return match[0];
}

describe('encryptPgpMime, judged by GnuPG', () => {
  const attachment = randomBytes(4096);
  let recipient: { publicKey: string; privateKey: string };
  let archive: OrganisationKey;
  let organisation: OrganisationKey;
  let recipientHome: GnupgHome;
  let archiveHome: GnupgHome;

  beforeAll(async () => {
    recipient = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Jane Roe', email: address('jane') }],
      config: { v6Keys: false },
    });
    archive = await generateOrganisationKey('Archive', address('archive'), 'rsa3072');
    organisation = await generateOrganisationKey('Clinic', address('noreply'), 'curve25519-legacy');

    recipientHome = await GnupgHome.create();
    await recipientHome.importKey(recipient.privateKey);
    await recipientHome.importKey(organisation.publicArmored);
    archiveHome = await GnupgHome.create();
    await archiveHome.importKey(archive.privateArmored);
  });

  afterAll(async () => {
    await recipientHome?.dispose();
    await archiveHome?.dispose();
  });

  it("lets the recipient's GnuPG decrypt text, HTML and attachment bytes unchanged", async () => {
    const mime = await compose({ attachment });

    const encrypted = await encryptPgpMime({ mime, recipientKeys: [recipient.publicKey] });
    const { plaintext, status } = await recipientHome.decrypt(armoredPart(encrypted));
    const inner = await simpleParser(plaintext);

    expect(status).toContain('DECRYPTION_OKAY');
    expect(inner.text?.trim()).toBe(TEXT);
    expect(inner.html).toBe(HTML);
    expect(inner.attachments).toHaveLength(1);
    expect(inner.attachments[0].filename).toBe('results.pdf');
    expect(inner.attachments[0].content.equals(attachment)).toBe(true);
  });

  it('keeps the real subject only inside the encrypted part, as a protected header', async () => {
    const mime = await compose({ attachment });

    const encrypted = await encryptPgpMime({ mime, recipientKeys: [recipient.publicKey] });
    const outer = await simpleParser(encrypted);
    const { plaintext } = await recipientHome.decrypt(armoredPart(encrypted));
    const inner = await simpleParser(plaintext);

    expect(encrypted.toString('latin1')).not.toContain('Jane Roe:');
    expect(encrypted.toString('latin1')).not.toContain('HbA1c');
    expect(outer.subject).toBe('Encrypted message');
    expect(inner.subject).toBe(SUBJECT);
    expect(firstAddress(inner.from)).toBe('noreply@clinic.example');
    expect(firstAddress(inner.to)).toBe('jane@patient.example');
    expect(inner.messageId).toBe('<msg-42@clinic.example>');
    expect(plaintext.toString('latin1')).toMatch(/protected-headers="v1"/);
  });

  it('writes an RFC 3156 multipart/encrypted message that keeps the envelope', async () => {
    const mime = await compose({ attachment });

    const encrypted = await encryptPgpMime({ mime, recipientKeys: [recipient.publicKey] });
    const outer = await simpleParser(encrypted);
    const contentType = outer.headers.get('content-type') as {
      value: string;
      params: Record<string, string>;
    };

    expect(contentType.value).toBe('multipart/encrypted');
    expect(contentType.params.protocol).toBe('application/pgp-encrypted');
    const parts = outer.attachments.map((part) => part.contentType);
    expect(parts).toEqual(['application/pgp-encrypted', 'application/octet-stream']);
    expect(outer.attachments[0].content.toString().trim()).toBe('Version: 1');
    expect(firstAddress(outer.from)).toBe('noreply@clinic.example');
    expect(firstAddress(outer.to)).toBe('jane@patient.example');
    expect(firstAddress(outer.cc)).toBe('records@clinic.example');
    expect(firstAddress(outer.replyTo)).toBe('desk@clinic.example');
    expect(outer.messageId).toBe('<msg-42@clinic.example>');
    expect(outer.date?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(outer.headers.get('x-sealpost-message-id')).toBe('msg-42');
    expect(encrypted.toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it('keeps a text-only message a text/plain entity inside', async () => {
    const mime = await compose({ html: false });

    const encrypted = await encryptPgpMime({ mime, recipientKeys: [recipient.publicKey] });
    const { plaintext } = await recipientHome.decrypt(armoredPart(encrypted));
    const inner = await simpleParser(plaintext);

    expect(plaintext.toString('latin1')).toMatch(/^Content-Type: text\/plain/m);
    expect(inner.text?.trim()).toBe(TEXT);
    expect(inner.html).toBe(false);
  });

  it('lets a GnuPG home holding only the archive key decrypt the same message', async () => {
    const mime = await compose({ attachment });

    const encrypted = await encryptPgpMime({
      mime,
      recipientKeys: [recipient.publicKey],
      archiveKey: archive.publicArmored,
    });
    const byArchive = await simpleParser(
      (await archiveHome.decrypt(armoredPart(encrypted))).plaintext,
    );
    const byRecipient = await simpleParser(
      (await recipientHome.decrypt(armoredPart(encrypted))).plaintext,
    );

    expect(byArchive.attachments[0].content.equals(attachment)).toBe(true);
    expect(byArchive.text?.trim()).toBe(TEXT);
    expect(byRecipient.text?.trim()).toBe(TEXT);
  });

  it('signs with the organisation key so that gpg reports a good signature', async () => {
    const mime = await compose({ attachment });

    const encrypted = await encryptPgpMime({
      mime,
      recipientKeys: [recipient.publicKey],
      signingKey: { armored: organisation.privateArmored },
    });
    const { plaintext, status } = await recipientHome.decrypt(armoredPart(encrypted));

    expect(status).toMatch(/^\[GNUPG:\] GOODSIG /m);
    expect(status).toMatch(
      new RegExp(`^\\[GNUPG:\\] VALIDSIG .*${organisation.fingerprint}$`, 'm'),
    );
    expect((await simpleParser(plaintext)).attachments[0].content.equals(attachment)).toBe(true);
  });

  it('leaves a message unsigned when no signing key is given', async () => {
    const mime = await compose();

    const encrypted = await encryptPgpMime({ mime, recipientKeys: [recipient.publicKey] });
    const { status } = await recipientHome.decrypt(armoredPart(encrypted));

    expect(status).toContain('DECRYPTION_OKAY');
    expect(status).not.toContain('NEWSIG');
  });

  it('unlocks a passphrase-protected signing key', async () => {
    const passphrase = randomUUID();
    const signer = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address('signer') }],
      passphrase,
    });
    await recipientHome.importKey(signer.publicKey);

    const encrypted = await encryptPgpMime({
      mime: await compose(),
      recipientKeys: [recipient.publicKey],
      signingKey: { armored: signer.privateKey, passphrase },
    });
    const { status } = await recipientHome.decrypt(armoredPart(encrypted));

    expect(status).toMatch(/^\[GNUPG:\] GOODSIG /m);
  });

  it('refuses a signing key whose passphrase is wrong', async () => {
    const signer = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address('signer') }],
      passphrase: randomUUID(),
    });

    const result = encryptPgpMime({
      mime: await compose(),
      recipientKeys: [recipient.publicKey],
      signingKey: { armored: signer.privateKey, passphrase: 'wrong' },
    });

    await expect(result).rejects.toMatchObject({ reason: PgpKeyReason.SigningKeyUnusable });
  });

  it('refuses a revoked recipient key instead of encrypting to it', async () => {
    const { privateKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address('gone') }],
    });
    const revoked = await revokeKey({ key: await readPrivateKey({ armoredKey: privateKey }) });

    const result = encryptPgpMime({ mime: await compose(), recipientKeys: [revoked.publicKey] });

    await expect(result).rejects.toBeInstanceOf(PgpKeyError);
    await expect(result).rejects.toMatchObject({ reason: PgpKeyReason.Revoked });
  });

  it('uses the outer subject it is given, encoded when it is not ASCII', async () => {
    const encrypted = await encryptPgpMime({
      mime: await compose(),
      recipientKeys: [recipient.publicKey],
      outerSubject: 'Message sécurisé\r\nBcc: x@evil.example',
    });
    const outer = await simpleParser(encrypted);

    expect(outer.subject).toBe('Message sécurisé Bcc: x@evil.example');
    expect(outer.bcc).toBeUndefined();
  });
});
