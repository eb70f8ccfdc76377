import { headerField, prependFields, rawForDelivery, splitRawHeaders } from './raw-mime';

const message = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('raw MIME header edits', () => {
  const original = message([
    'From: doctor@clinic.example',
    'To: patient@example.test',
    'Bcc: records@example.test',
    'X-Sealpost-Encrypt: 1',
    'Subject: [secure] Your',
    '  results',
    'Content-Type: text/plain; charset=iso-8859-1',
    '',
    'Gr\xfc\xdfe,',
    '',
    'body line',
    '',
  ]);

  it('keeps every byte after the header block as received', () => {
    const delivered = rawForDelivery(original, null);
    const cut = original.indexOf('\r\n\r\n');

    expect(delivered.subarray(delivered.indexOf('\r\n\r\n'))).toEqual(original.subarray(cut));
  });

  it('drops Bcc and X-Sealpost-Encrypt, and leaves the Subject when no tag was cut', () => {
    const text = rawForDelivery(original, null).toString('latin1');

    expect(text).not.toMatch(/^Bcc:/im);
    expect(text).not.toMatch(/^X-Sealpost-Encrypt:/im);
    expect(text).toContain('Subject: [secure] Your\r\n  results\r\n');
  });

  it('rewrites a folded Subject to the one without the tag, encoded when not ASCII', () => {
    const plain = rawForDelivery(original, 'Your results').toString('latin1');
    const accented = rawForDelivery(original, 'Vos résultats').toString('latin1');

    expect(plain).toMatch(/\r\nSubject: Your results\r\nContent-Type:/);
    expect(accented).toMatch(/\r\nSubject: Vos =\?UTF-8\?Q\?r=C3=A9sultats\?=\r\nContent-Type:/);
  });

  it('puts our fields on top of the fields as written', () => {
    const stamped = prependFields(original, [headerField('X-Sealpost-Gateway', 'i=abc')]);

    expect(stamped.toString('latin1')).toBe(
      'X-Sealpost-Gateway: i=abc\r\n' + original.toString('latin1'),
    );
  });

  it('reads a message with bare LF line ends and refuses a header line without a name', () => {
    const lax = Buffer.from('From: a@b.example\nSubject: x\n\nbody\n');

    expect(splitRawHeaders(lax)?.fields).toEqual(['From: a@b.example', 'Subject: x']);
    expect(splitRawHeaders(message(['From: a@b.example', 'no colon here', '', 'x']))).toBeNull();
    expect(splitRawHeaders(message(['', 'body only']))).toBeNull();
  });
});
