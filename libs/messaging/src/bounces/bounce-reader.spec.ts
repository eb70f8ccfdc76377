import { postfixDsn } from '@sealpost/test-peers';
import { findingFor, MAX_PARSED_BYTES, readNotice } from './bounce-reader';

const returnPath = 'bounce+aaaa@bounces.sealpost.test';
const recipient = 'jane.doe@patients.example';

async function read(raw: Buffer | string, address = recipient) {
  return findingFor(await readNotice(Buffer.from(raw)), address);
}

function plainMessage(headers: string[], body: string): string {
  return [...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', body, ''].join('\r\n');
}

describe('reading a bounce notice', () => {
  it('reads a Postfix DSN: status, class, diagnostic and the reporting servers', async () => {
    const finding = await read(postfixDsn({ returnPath, recipient }));
    const reply =
      `550 5.1.1 <${recipient}>: Recipient address rejected: ` +
      'User unknown in virtual mailbox table';

    expect(finding).toEqual({
      format: 'rfc3464',
      status: '5.1.1',
      class: 'hard',
      diagnosticCode: `smtp; ${reply}`,
      smtpReply: reply,
      remoteMta: 'dns; mx.patients.example',
      reportingMta: 'dns; mail.relay.example',
    });
  });

  it('reads a failure with a 4.x.x status as soft', async () => {
    const finding = await read(
      postfixDsn({ returnPath, recipient, status: '4.4.7', reply: '451 4.4.7 timed out' }),
    );

    expect(finding).toMatchObject({ status: '4.4.7', class: 'soft' });
  });

  it('finds no failure in a delayed-mail warning', async () => {
    const raw = postfixDsn({ returnPath, recipient, action: 'delayed', status: '4.4.1' });

    expect(await read(raw)).toBeNull();
  });

  it('takes the status from the diagnostic when the report has none', async () => {
    const raw = postfixDsn({ returnPath, recipient }).toString().replace('Status: 5.1.1\r\n', '');

    expect(await read(raw)).toMatchObject({ status: '5.1.1', class: 'hard' });
  });

  it('picks the block of the recipient the return path names among several', async () => {
    const other = 'omar@patients.example';
    const raw = postfixDsn({ returnPath, recipient: other, status: '5.2.2' })
      .toString()
      .replace(
        'Final-Recipient:',
        `Final-Recipient: rfc822; ${recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n` +
          'Final-Recipient:',
      );

    expect(await read(raw, other)).toMatchObject({ status: '5.2.2' });
    expect(await read(raw, recipient)).toMatchObject({ status: '5.1.1' });
  });

  it('reads the report at the start of a notice longer than it parses', async () => {
    const raw = postfixDsn({ returnPath, recipient });
    const padding = Buffer.alloc(MAX_PARSED_BYTES, 'x');

    expect(await read(Buffer.concat([raw.subarray(0, raw.length - 40), padding]))).toMatchObject({
      status: '5.1.1',
    });
  });

  it('reads a plain-text notice from a mailer daemon by its SMTP reply', async () => {
    const raw = plainMessage(
      ['From: MAILER-DAEMON@old.example', 'Subject: failure notice'],
      [
        'Hi. This is the qmail-send program at old.example.',
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        '',
        `<${recipient}>:`,
        'Remote host said: 550-5.1.1 The email account does not exist',
      ].join('\r\n'),
    );

    expect(await read(raw)).toEqual({
      format: 'plain-text',
      status: '5.1.1',
      class: 'hard',
      diagnosticCode: 'Remote host said: 550-5.1.1 The email account does not exist',
      smtpReply: '550-5.1.1 The email account does not exist',
      remoteMta: null,
      reportingMta: null,
    });
  });

  it('ignores an out-of-office reply, even one that quotes an SMTP-like number', async () => {
    const raw = plainMessage(
      [`From: Dr Jane <${recipient}>`, 'Subject: Out of office', 'Auto-Submitted: auto-replied'],
      'I am away until Monday. Call 555 0100 for urgent matters.',
    );

    expect(await read(raw)).toBeNull();
  });
});
