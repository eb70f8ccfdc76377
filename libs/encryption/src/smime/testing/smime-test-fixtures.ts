import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createTestCa } from '@sealpost/test-peers';
import { opensslOutput, runOpenssl, type OpensslResult } from './openssl.runner';
import { issueSmimeCertificate } from './smime-test-certificates';

/** Key and certificate files of one party, written into a test's temp directory. */
export interface PartyFiles {
  address: string;
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

export interface SmimeTestWorld {
  caFile: string;
  alice: PartyFiles;
  bob: PartyFiles;
  outsider: PartyFiles;
  signer: PartyFiles;
}

/** A CA, two recipients, a party left out of every message, and the organisation signer. */
export async function createSmimeTestWorld(dir: string): Promise<SmimeTestWorld> {
  await opensslOutput(['version']);
  const ca = createTestCa('Sealpost S/MIME Test CA');
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);

  const party = async (name: string, signer = false): Promise<PartyFiles> => {
    const address = `${name}-${randomBytes(3).toString('hex')}@clinic.example`;
    const identity = issueSmimeCertificate(ca, {
      address,
      extendedKeyUsage: 'emailProtection',
      keyEncipherment: !signer,
    });
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    await writeFile(certFile, identity.certPem);
    await writeFile(keyFile, identity.keyPem);
    return { address, ...identity, certFile, keyFile };
  };

  return {
    caFile,
    alice: await party('alice'),
    bob: await party('bob'),
    outsider: await party('outsider'),
    signer: await party('noreply', true),
  };
}

export interface TestMessage {
  mime: Buffer;
  subject: string;
  text: string;
  html: string;
  attachment: Buffer;
}

/** A message as MailComposer builds it: text, HTML, a binary attachment, custom header. */
export async function composeTestMessage(from: string, to: string[]): Promise<TestMessage> {
  const tag = randomBytes(4).toString('hex');
  const subject = `Your biopsy results ${tag}`;
  const text = `Dear patient ${tag},\nyour results are ready.\n`;
  const html = `<p>Dear patient <b>${tag}</b>, your results are ready.</p>`;
  // Every byte value, so a CR, LF or NUL mangled anywhere on the way shows up.
  const attachment = Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    randomBytes(4096),
  ]);

  const composer = new MailComposer({
    from,
    to,
    cc: `records-${tag}@clinic.example`,
    replyTo: `care-team@clinic.example`,
    subject,
    text,
    html,
    headers: { 'X-Sealpost-Message-Id': `msg_${tag}` },
    messageId: `<${tag}@sealpost.example>`,
    date: new Date('2026-03-04T05:06:07Z'),
    attachments: [{ filename: 'results.pdf', contentType: 'application/pdf', content: attachment }],
  });
  const mime = await new Promise<Buffer>((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
  return { mime, subject, text, html, attachment };
}

/** Decrypts with `openssl cms` or `openssl smime` as `party`; resolves with the raw result. */
export function opensslDecrypt(
  tool: 'cms' | 'smime',
  file: string,
  party: PartyFiles,
): Promise<OpensslResult> {
  return runOpenssl([
    tool,
    '-decrypt',
    '-in',
    file,
    '-recip',
    party.certFile,
    '-inkey',
    party.keyFile,
  ]);
}

/** The parsed message must carry the same text, HTML and attachment bytes as the original. */
export async function expectSameContent(raw: Buffer, original: TestMessage): Promise<ParsedMail> {
  const parsed = await simpleParser(raw);
  expect(parsed.text).toBe(original.text);
  expect(parsed.html).toBe(original.html);
  expect(parsed.attachments).toHaveLength(1);
  expect(parsed.attachments[0].filename).toBe('results.pdf');
  expect(parsed.attachments[0].content.equals(original.attachment)).toBe(true);
  return parsed;
}
