import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, httpStatusOf, SealpostError } from '@sealpost/core';
import { checkMessage, type MessageLimits, sizeOf } from './message-limits';
import { type SendMessageCommand } from './send-message.command';

const LIMITS: MessageLimits = { maxMessageBytes: 1024 * 1024, maxRecipients: 10 };

const anAddress = (domain = 'clinic.test'): string => `p-${randomUUID().slice(0, 8)}@${domain}`;

function aCommand(overrides: Partial<SendMessageCommand> = {}): SendMessageCommand {
  return {
    from: `Front Desk <${anAddress()}>`,
    to: [anAddress()],
    cc: [],
    bcc: [],
    subject: 'Appointment reminder',
    text: 'See you on Monday.',
    headers: {},
    attachments: [],
    tags: [],
    metadata: {},
    ...overrides,
  };
}

function sealpostErrorOf(run: () => unknown): SealpostError {
  try {
    run();
  } catch (error) {
    if (error instanceof SealpostError) {
      return error;
    }
    throw error;
  }
  throw new Error('no error was thrown');
}

/** Everything a client would see of the error. */
const visibleText = (error: SealpostError): string =>
  JSON.stringify({ message: error.message, details: error.details });

describe('checkMessage', () => {
  it('returns the sender and every recipient with its kind, in to, cc, bcc order', () => {
    const [to, cc, bcc] = [anAddress(), anAddress('Lab.Example.TEST'), anAddress()];

    const checked = checkMessage(aCommand({ to: [to], cc: [cc], bcc: [bcc] }), LIMITS);

    expect(checked.from.name).toBe('Front Desk');
    expect(checked.recipients).toEqual([
      { kind: 'to', mailbox: expect.objectContaining({ address: to }) },
      { kind: 'cc', mailbox: expect.objectContaining({ domain: 'lab.example.test' }) },
      { kind: 'bcc', mailbox: expect.objectContaining({ address: bcc }) },
    ]);
  });

  it('accepts a message with only bcc recipients', () => {
    const checked = checkMessage(aCommand({ to: [], bcc: [anAddress()] }), LIMITS);

    expect(checked.recipients).toHaveLength(1);
  });

  describe('addresses', () => {
    it('names the path of each bad address and never the address itself', () => {
      const bad = ['jane.doe.at.clinic.test', 'john@', 'Eve <eve@@evil.test>', 'bob@localhost'];

      const error = sealpostErrorOf(() =>
        checkMessage(
          aCommand({
            from: bad[0],
            to: [anAddress(), bad[1]],
            cc: [bad[2]],
            bcc: [bad[3]],
            replyTo: 'reply.at.clinic.test',
          }),
          LIMITS,
        ),
      );

      expect(error.code).toBe(ErrorCode.ValidationFailed);
      expect(error.details?.map((detail) => detail.path)).toEqual([
        'from',
        'to[1]',
        'cc[0]',
        'bcc[0]',
        'replyTo',
      ]);
      for (const value of [...bad, 'reply.at.clinic.test', 'jane.doe', 'eve@']) {
        expect(visibleText(error)).not.toContain(value);
      }
    });

    it('refuses a recipient string that holds two addresses', () => {
      const error = sealpostErrorOf(() =>
        checkMessage(aCommand({ to: [`${anAddress()}, ${anAddress()}`] }), LIMITS),
      );

      expect(error.details).toEqual([{ path: 'to[0]', message: 'is not a valid email address' }]);
    });

    it('accepts a valid replyTo', () => {
      expect(() => checkMessage(aCommand({ replyTo: anAddress() }), LIMITS)).not.toThrow();
    });
  });

  describe('headers', () => {
    it('accepts a custom header', () => {
      const command = aCommand({ headers: { 'X-Clinic-Ref': 'A-1', 'List-Unsubscribe': '<x>' } });

      expect(() => checkMessage(command, LIMITS)).not.toThrow();
    });

    it.each([
      'From',
      'to',
      'BCC',
      'Subject',
      'Message-ID',
      'Reply-To',
      'Return-Path',
      'Content-Type',
      'Content-Transfer-Encoding',
      'MIME-Version',
      'Received',
      'Date',
      'Sender',
    ])('refuses the reserved header %s', (name) => {
      const error = sealpostErrorOf(() =>
        checkMessage(aCommand({ headers: { [name]: 'value' } }), LIMITS),
      );

      expect(error.code).toBe(ErrorCode.ValidationFailed);
      expect(error.details).toEqual([
        { path: `headers.${name}`, message: 'is reserved or not a valid header' },
      ]);
    });

    it.each([
      ['a colon', 'X-Ref:'],
      ['a space', 'X Ref'],
      ['a non-ASCII letter', 'X-Réf'],
      ['no characters', ''],
    ])('refuses a header name with %s', (_case, name) => {
      const error = sealpostErrorOf(() =>
        checkMessage(aCommand({ headers: { [name]: 'value' } }), LIMITS),
      );

      expect(error.details?.[0].message).toBe('is reserved or not a valid header');
    });

    it('refuses a header name over 76 characters and cuts its path to 76', () => {
      const name = 'X-' + 'a'.repeat(80);

      const error = sealpostErrorOf(() =>
        checkMessage(aCommand({ headers: { [name]: 'v' } }), LIMITS),
      );

      expect(error.details?.[0].path).toBe(`headers.${name.slice(0, 76)}`);
    });

    it.each(['\r\n', '\n', '\r'])(
      'refuses a header value with a line break (%j) and does not quote it',
      (lineBreak) => {
        const injected = `A-1${lineBreak}Bcc: ${anAddress('evil.test')}`;

        const error = sealpostErrorOf(() =>
          checkMessage(aCommand({ headers: { 'X-Clinic-Ref': injected } }), LIMITS),
        );

        expect(error.details).toEqual([
          { path: 'headers.X-Clinic-Ref', message: 'is reserved or not a valid header' },
        ]);
        expect(visibleText(error)).not.toContain('evil.test');
      },
    );
  });

  it('reports bad addresses and bad headers together', () => {
    const error = sealpostErrorOf(() =>
      checkMessage(aCommand({ to: ['nope'], headers: { Subject: 'x' } }), LIMITS),
    );

    expect(error.details?.map((detail) => detail.path)).toEqual(['to[0]', 'headers.Subject']);
  });

  it('refuses a message without recipients', () => {
    const error = sealpostErrorOf(() => checkMessage(aCommand({ to: [] }), LIMITS));

    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.details).toEqual([
      { path: 'to', message: 'at least one of to, cc or bcc is required' },
    ]);
  });

  describe('recipient limit', () => {
    const addresses = (count: number): string[] => Array.from({ length: count }, () => anAddress());

    it('accepts exactly the maximum, counting to, cc and bcc together', () => {
      const command = aCommand({ to: addresses(4), cc: addresses(3), bcc: addresses(3) });

      expect(checkMessage(command, LIMITS).recipients).toHaveLength(10);
    });

    it('refuses one recipient more with too_many_recipients, a 422', () => {
      const command = aCommand({ to: addresses(4), cc: addresses(4), bcc: addresses(3) });

      const error = sealpostErrorOf(() => checkMessage(command, LIMITS));

      expect(error.code).toBe(ErrorCode.TooManyRecipients);
      expect(httpStatusOf(error.code)).toBe(422);
      expect(error.message).toBe('A message may have at most 10 recipients; this one has 11.');
    });
  });

  describe('size limit', () => {
    const limits: MessageLimits = { maxMessageBytes: 2048, maxRecipients: 10 };

    it('accepts a message of exactly the maximum size', () => {
      const command = aCommand({ subject: '', text: 'x'.repeat(2048) });

      expect(() => checkMessage(command, limits)).not.toThrow();
    });

    it('refuses a message one byte over with payload_too_large, a 413', () => {
      const command = aCommand({ subject: '', text: 'x'.repeat(2049) });

      const error = sealpostErrorOf(() => checkMessage(command, limits));

      expect(error.code).toBe(ErrorCode.PayloadTooLarge);
      expect(httpStatusOf(error.code)).toBe(413);
      expect(error.message).toBe('The message is 2049 bytes; the limit is 2048 bytes.');
    });

    it('counts attachments towards the limit', () => {
      const attachment = {
        filename: 'scan.pdf',
        contentType: 'application/pdf',
        content: randomBytes(2049).toString('base64'),
      };

      const error = sealpostErrorOf(() =>
        checkMessage(aCommand({ subject: '', text: '', attachments: [attachment] }), limits),
      );

      expect(error.code).toBe(ErrorCode.PayloadTooLarge);
    });
  });
});

describe('sizeOf', () => {
  it('counts the UTF-8 bytes of subject, text and html', () => {
    const command = aCommand({ subject: 'é', text: 'abc', html: '<p>€</p>' });

    expect(sizeOf(command)).toBe(2 + 3 + 10);
  });

  it('counts a missing text or html as nothing', () => {
    expect(sizeOf(aCommand({ subject: 'abcd', text: undefined, html: undefined }))).toBe(4);
  });

  it.each([1, 2, 3, 1000, 3001])('counts %i attachment bytes, not their base64 length', (n) => {
    const content = randomBytes(n).toString('base64');
    const command = aCommand({
      subject: '',
      text: '',
      attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', content }],
    });

    expect(sizeOf(command)).toBe(n);
  });

  it('adds up several attachments', () => {
    const attachment = (bytes: number) => ({
      filename: `${bytes}.bin`,
      contentType: 'application/octet-stream',
      content: randomBytes(bytes).toString('base64'),
    });

    const command = aCommand({
      subject: 'abc',
      text: '',
      attachments: [attachment(100), attachment(250)],
    });

    expect(sizeOf(command)).toBe(3 + 100 + 250);
  });
});
