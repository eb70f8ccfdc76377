import { base64Lines, joinEntity, splitMessage, toCrlf } from './mime-entity.util';

describe('mime entity helpers', () => {
  it('turns every kind of line break into CRLF', () => {
    expect(toCrlf('a\nb\r\nc\rd')).toBe('a\r\nb\r\nc\r\nd');
  });

  it('keeps folded header lines with their field and the body byte for byte', () => {
    const mime = Buffer.from(
      'Subject: first line\n  continued\nX-Tag:\tvalue\n\nbody \xe9 line\n',
      'latin1',
    );

    const { headers, body } = splitMessage(mime);

    expect(headers).toEqual([
      { name: 'subject', raw: 'Subject: first line\r\n  continued' },
      { name: 'x-tag', raw: 'X-Tag:\tvalue' },
    ]);
    expect(Buffer.from(body, 'latin1')).toEqual(Buffer.from('body \xe9 line\r\n', 'latin1'));
  });

  it('reads a message without a body and an entity without headers', () => {
    expect(splitMessage(Buffer.from('Subject: only\r\n'))).toEqual({
      headers: [{ name: 'subject', raw: 'Subject: only' }],
      body: '',
    });
    expect(splitMessage(Buffer.from('\r\njust a body'))).toEqual({
      headers: [],
      body: 'just a body',
    });
  });

  it('refuses a header line that is not a field', () => {
    expect(() => splitMessage(Buffer.from('From someone Mon Jan 1\r\nSubject: x\r\n\r\n'))).toThrow(
      /not a header field/,
    );
  });

  it('joins header lines and body with one blank line between them', () => {
    expect(joinEntity(['A: 1', 'B: 2'], 'body').toString()).toBe('A: 1\r\nB: 2\r\n\r\nbody');
  });

  it('wraps base64 at 76 characters per line', () => {
    const lines = base64Lines(Buffer.alloc(100, 7)).split('\r\n');

    expect(lines.map((line) => line.length)).toEqual([76, 60, 0]);
  });
});
