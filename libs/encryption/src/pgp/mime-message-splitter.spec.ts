import { splitMimeMessage } from './mime-message-splitter';

describe('splitMimeMessage', () => {
  it('puts Content-* fields inside, the rest outside, and drops MIME-Version', () => {
    const mime = Buffer.from(
      [
        'From: a@clinic.example',
        'Subject: Results',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        'X-Trace: 42',
        '',
        'Hello',
      ].join('\r\n'),
    );

    const split = splitMimeMessage(mime);

    expect(split.envelope.map((field) => field.name)).toEqual(['From', 'Subject', 'X-Trace']);
    expect(split.content.map((field) => field.name)).toEqual([
      'Content-Type',
      'Content-Transfer-Encoding',
    ]);
    expect(split.body.toString()).toBe('Hello');
  });

  it('keeps folded fields whole', () => {
    const mime = Buffer.from(
      'To: a@clinic.example,\r\n\tb@clinic.example\r\nContent-Type: multipart/mixed;\r\n' +
        ' boundary="x"\r\n\r\n--x--\r\n',
    );

    const split = splitMimeMessage(mime);

    expect(split.envelope[0].raw).toBe('To: a@clinic.example,\r\n\tb@clinic.example');
    expect(split.content[0].raw).toBe('Content-Type: multipart/mixed;\r\n boundary="x"');
  });

  it('turns bare LF into CRLF and keeps 8-bit bytes', () => {
    const body = Buffer.from('café\nline two\n', 'utf8');
    const mime = Buffer.concat([Buffer.from('Subject: x\n\n'), body]);

    const split = splitMimeMessage(mime);

    expect(split.body.toString('utf8')).toBe('café\r\nline two\r\n');
  });

  it('refuses a header line that is not a field without echoing it', () => {
    const mime = Buffer.from('Subject: x\r\nJane Roe diagnosis\r\n\r\nbody');

    expect(() => splitMimeMessage(mime)).toThrow(/not a header field/);
    expect(() => splitMimeMessage(mime)).not.toThrow(/Jane/);
  });
});
