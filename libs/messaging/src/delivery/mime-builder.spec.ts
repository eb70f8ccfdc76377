import { randomBytes, randomUUID } from 'node:crypto';
import { type AddressObject, simpleParser } from 'mailparser';
import { type MessageContent } from '../messages/message-content';
import { buildMime, type MimeInput } from './mime-builder';

function aMimeInput(content: Partial<MessageContent> = {}): MimeInput {
  return {
    messageId: randomUUID(),
    from: 'Front Desk <desk@clinic.test>',
    createdAt: new Date('2026-03-02T09:30:00Z'),
    idDomain: 'mta.clinic.test',
    content: {
      subject: 'Appointment reminder',
      text: 'See you on Monday.',
      headers: {},
      attachments: [],
      to: ['jane.doe@patients.test'],
      cc: [],
      ...content,
    },
  };
}

const addressesOf = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((group) => group.value)
    .map((mailbox) => mailbox.address ?? '');

describe('buildMime', () => {
  it('writes a message that parses back to the same subject, bodies and attachment', async () => {
    const pdf = randomBytes(5000);
    pdf.write('%PDF-1.7\n', 0, 'latin1');
    const input = aMimeInput({
      subject: 'Résultats — Blood panel',
      text: 'Dear Jane,\nyour results are attached.\n',
      html: '<p>Dear Jane,<br>your results are <b>attached</b>.</p>',
      attachments: [
        {
          filename: 'results.pdf',
          contentType: 'application/pdf',
          content: pdf.toString('base64'),
        },
      ],
      to: ['Jane Doe <jane.doe@patients.test>', 'guardian@patients.test'],
      cc: ['Dr Smith <smith@clinic.test>'],
      replyTo: 'nurse@clinic.test',
      headers: { 'X-Clinic-Ref': 'ref-42', 'X-Sealpost-Encrypt': '1' },
    });

    const parsed = await simpleParser(await buildMime(input));

    expect(parsed.subject).toBe('Résultats — Blood panel');
    expect(parsed.text).toBe('Dear Jane,\nyour results are attached.\n');
    expect(parsed.html).toBe('<p>Dear Jane,<br>your results are <b>attached</b>.</p>');
    expect(parsed.from?.value).toEqual([{ name: 'Front Desk', address: 'desk@clinic.test' }]);
    expect(addressesOf(parsed.to)).toEqual(['jane.doe@patients.test', 'guardian@patients.test']);
    expect(addressesOf(parsed.cc)).toEqual(['smith@clinic.test']);
    expect(addressesOf(parsed.replyTo)).toEqual(['nurse@clinic.test']);
    expect(parsed.headers.get('x-clinic-ref')).toBe('ref-42');
    // An instruction to Sealpost, not to the recipient.
    expect(parsed.headers.has('x-sealpost-encrypt')).toBe(false);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({
      filename: 'results.pdf',
      contentType: 'application/pdf',
    });
    expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
  });

  it('writes the Message-ID as <message id@id domain> and the creation date', async () => {
    const input = aMimeInput();

    const parsed = await simpleParser(await buildMime(input));

    expect(parsed.messageId).toBe(`<${input.messageId}@mta.clinic.test>`);
    expect(parsed.date?.toISOString()).toBe('2026-03-02T09:30:00.000Z');
  });

  it('writes the same Message-ID and Date each time: one message for every recipient', async () => {
    const input = aMimeInput();

    const [first, second] = await Promise.all([buildMime(input), buildMime(input)]);
    const headersOf = async (raw: Buffer) => {
      const parsed = await simpleParser(raw);
      return [parsed.messageId, parsed.date?.getTime()];
    };

    expect(await headersOf(first)).toEqual(await headersOf(second));
  });

  it('never writes a bcc address, even one left on the content object', async () => {
    const bcc = `hidden-${randomUUID().slice(0, 8)}@patients.test`;
    const input = aMimeInput();
    // Bcc recipients are envelope-only: MessageContent has no bcc field, and a stray one on
    // the object must not leak into the headers either.
    Object.assign(input.content, { bcc: [bcc] });

    const raw = await buildMime(input);

    expect(raw.toString('latin1')).not.toContain(bcc);
    expect(raw.toString('latin1')).not.toMatch(/^bcc:/im);
  });

  it('writes a text-only message without an html part or attachments', async () => {
    const parsed = await simpleParser(await buildMime(aMimeInput({ text: 'Plain only.' })));

    expect(parsed.text?.trim()).toBe('Plain only.');
    expect(parsed.html).toBe(false);
    expect(parsed.attachments).toEqual([]);
  });

  it('keeps several attachments apart, byte for byte', async () => {
    const files = [randomBytes(10), randomBytes(70000), Buffer.alloc(0)];
    const input = aMimeInput({
      attachments: files.map((bytes, index) => ({
        filename: `part-${index}.bin`,
        contentType: 'application/octet-stream',
        content: bytes.toString('base64'),
      })),
    });

    const parsed = await simpleParser(await buildMime(input));

    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      'part-0.bin',
      'part-1.bin',
      'part-2.bin',
    ]);
    parsed.attachments.forEach((attachment, index) => {
      expect(attachment.content.equals(files[index])).toBe(true);
    });
  });

  it('keeps lines within the 998-octet limit of RFC 5322 for a long text', async () => {
    const raw = await buildMime(aMimeInput({ text: 'x'.repeat(5000), html: 'y'.repeat(5000) }));

    const longest = Math.max(
      ...raw
        .toString('latin1')
        .split('\r\n')
        .map((l) => l.length),
    );

    expect(longest).toBeLessThanOrEqual(998);
  });
});
