import { MalformedMessageError, readReceivedMessage } from './received-message';

const raw = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('readReceivedMessage', () => {
  const message = raw([
    'From: "Dr. Who" <doctor@clinic.example>',
    'To: Patient <patient@example.test>',
    'Cc: carer@example.test',
    'Subject: =?UTF-8?Q?R=C3=A9sultats?=',
    'X-Sealpost-Encrypt: 1',
    'Message-ID: <abc@clinic.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'Please call us.',
    '--b',
    'Content-Type: application/pdf; name="r.pdf"',
    'Content-Disposition: attachment; filename="r.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0=',
    '--b--',
    '',
  ]);
  const envelope = {
    mailFrom: 'doctor@clinic.example',
    rcptTo: ['patient@example.test', 'CARER@example.test', 'records@example.test'],
  };

  it('sorts envelope recipients into to, cc and bcc by the headers', async () => {
    const { command } = await readReceivedMessage(message, envelope, 'i=x');

    expect([command.to, command.cc, command.bcc]).toEqual([
      ['patient@example.test'],
      ['CARER@example.test'],
      ['records@example.test'],
    ]);
  });

  it('reads what the policy and the portal need, and keeps the stamped original', async () => {
    const { command } = await readReceivedMessage(message, envelope, 'i=x; host=gw');

    expect(command).toMatchObject({
      from: '"Dr. Who" <doctor@clinic.example>',
      subject: 'Résultats',
      headers: { 'X-Sealpost-Encrypt': '1' },
      tracking: false,
      attachments: [{ filename: 'r.pdf', contentType: 'application/pdf', content: 'JVBERi0=' }],
    });
    expect(command.text?.trim()).toBe('Please call us.');
    expect(command.raw).toBe('X-Sealpost-Gateway: i=x; host=gw\r\n' + message.toString());
  });

  it('keys the same bytes and envelope alike, other bytes or envelope apart', async () => {
    const first = await readReceivedMessage(message, envelope, 'i=x');
    const again = await readReceivedMessage(message, envelope, 'i=x');
    const other = await readReceivedMessage(
      message,
      { ...envelope, rcptTo: ['a@b.example'] },
      'i=x',
    );
    const edited = await readReceivedMessage(
      Buffer.concat([message, Buffer.from('\r\n')]),
      envelope,
      'i=x',
    );

    expect(again.idempotencyKey).toBe(first.idempotencyKey);
    expect(again.requestHash).toBe(first.requestHash);
    expect(other.idempotencyKey).not.toBe(first.idempotencyKey);
    expect(edited.idempotencyKey).not.toBe(first.idempotencyKey);
  });

  it('falls back to the envelope sender without a From, and refuses with neither', async () => {
    const noFrom = raw(['Subject: x', '', 'body']);

    const { command } = await readReceivedMessage(noFrom, envelope, 'i=x');

    expect(command.from).toBe('doctor@clinic.example');
    await expect(
      readReceivedMessage(noFrom, { ...envelope, mailFrom: '' }, 'i=x'),
    ).rejects.toBeInstanceOf(MalformedMessageError);
  });

  it('keeps every byte of the original through the sealed JSON form', async () => {
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    const binary = Buffer.concat([raw(['From: a@b.example', 'Subject: bytes', '', '']), everyByte]);

    const { command } = await readReceivedMessage(binary, envelope, 'i=x');
    const stored = JSON.parse(JSON.stringify({ raw: command.raw })) as { raw: string };

    expect(Buffer.from(stored.raw, 'latin1')).toEqual(
      Buffer.concat([Buffer.from('X-Sealpost-Gateway: i=x\r\n'), binary]),
    );
  });
});
