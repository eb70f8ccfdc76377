import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from './redaction';

/** A pino logger built like the services build theirs, writing JSON lines to memory. */
function memoryLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

describe('REDACT_PATHS', () => {
  const address = 'jane.doe@clinic.test';
  const subject = 'Your biopsy results';
  const body = 'The sample shows no malignancy.';

  it('censors PHI fields at the top level of a log object', () => {
    const { logger, lines } = memoryLogger();

    logger.info({ to: [address], subject, text: body, messageId: 'msg_1' }, 'sending');

    const [line] = lines();
    expect(line).toMatchObject({
      to: '[redacted]',
      subject: '[redacted]',
      text: '[redacted]',
      messageId: 'msg_1',
    });
  });

  it('censors nested to, subject and text one and two levels down', () => {
    const { logger, lines } = memoryLogger();

    logger.info(
      {
        job: { messageId: 'msg_2', to: address, subject },
        outbox: { content: { text: body }, payload: { to: address, subject, text: body } },
      },
      'delivery failed',
    );

    const raw = JSON.stringify(lines());
    expect(raw).not.toContain(address);
    expect(raw).not.toContain(subject);
    expect(raw).not.toContain(body);
    expect(lines()[0]).toMatchObject({
      job: { messageId: 'msg_2', to: '[redacted]', subject: '[redacted]' },
      outbox: { payload: { to: '[redacted]', subject: '[redacted]', text: '[redacted]' } },
    });
  });

  it('censors the fields of objects inside an array', () => {
    const { logger, lines } = memoryLogger();

    logger.info({ recipients: [{ id: 'rcp_1', address }] }, 'queued');

    expect(lines()[0]).toMatchObject({ recipients: [{ id: 'rcp_1', address: '[redacted]' }] });
  });

  it('censors credentials in request headers and anywhere a secret is named', () => {
    const { logger, lines } = memoryLogger();
    const token = 'sp_0123456789abcdef_' + 'x'.repeat(43);

    logger.info(
      {
        req: { headers: { authorization: `Bearer ${token}`, cookie: 'sid=1' } },
        relay: { password: 'hunter2' },
        apiKey: token,
      },
      'request',
    );

    const raw = JSON.stringify(lines());
    expect(raw).not.toContain(token);
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain('sid=1');
  });

  it('leaves ids, codes and the log message itself alone', () => {
    const { logger, lines } = memoryLogger();

    logger.info({ messageId: 'msg_3', recipientId: 'rcp_3', responseCode: 250 }, 'delivered');

    expect(lines()[0]).toMatchObject({
      messageId: 'msg_3',
      recipientId: 'rcp_3',
      responseCode: 250,
      msg: 'delivered',
    });
  });
});
