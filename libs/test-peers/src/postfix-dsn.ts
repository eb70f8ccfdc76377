export interface PostfixDsnOptions {
  /** The VERP return path the notice is addressed to. */
  returnPath: string;
  /** The address that bounced. */
  recipient: string;
  action?: 'failed' | 'delayed';
  status?: string;
  /** The SMTP reply after `smtp; `. */
  reply?: string;
  subject?: string;
}

/**
 * A delivery status notification as Postfix's bounce daemon writes one (bounce_notify_*):
 * multipart/report with the "mail system" notice, a message/delivery-status part with the
 * per-message fields Postfix adds (X-Postfix-Queue-ID, X-Postfix-Sender, Arrival-Date) and
 * one recipient block, then the returned message's headers. Line ends are CRLF, as on the wire.
 */
export function postfixDsn(options: PostfixDsnOptions): Buffer {
  const action = options.action ?? 'failed';
  const status = options.status ?? '5.1.1';
  const reply =
    options.reply ??
    `550 ${status} <${options.recipient}>: Recipient address rejected: User unknown in virtual\n` +
      '    mailbox table';
  const boundary = '4F1C32A0F3.1796409602/mail.relay.example';
  const delayed = action === 'delayed';
  const lines = [
    'Return-Path: <>',
    'Received: by mail.relay.example (Postfix)',
    '\tid 4F1C32A0F3; Fri,  4 Dec 2026 18:40:02 +0000 (UTC)',
    'Date: Fri,  4 Dec 2026 18:40:02 +0000 (UTC)',
    'From: MAILER-DAEMON@mail.relay.example (Mail Delivery System)',
    delayed
      ? 'Subject: Delayed Mail (still being retried)'
      : 'Subject: Undelivered Mail Returned to Sender',
    `To: ${options.returnPath}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    `\tboundary="${boundary}"`,
    'Content-Transfer-Encoding: 8bit',
    'Message-Id: <20261204184002.4F1C32A0F3@mail.relay.example>',
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mail.relay.example.',
    '',
    delayed
      ? '####################################################################\n' +
        '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n' +
        '####################################################################'
      : "I'm sorry to have to inform you that your message could not\n" +
        "be delivered to one or more recipients. It's attached below.",
    '',
    'For further assistance, please send mail to postmaster.',
    '',
    '                   The mail system',
    '',
    `<${options.recipient}>: host mx.patients.example[192.0.2.25] said: ${reply} (in reply to`,
    '    RCPT TO command)',
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mail.relay.example',
    'X-Postfix-Queue-ID: 4F1C32A0F3',
    `X-Postfix-Sender: rfc822; ${options.returnPath}`,
    'Arrival-Date: Fri,  4 Dec 2026 18:39:58 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${options.recipient}`,
    `Original-Recipient: rfc822;${options.recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.patients.example',
    `Diagnostic-Code: smtp; ${reply}`,
    ...(delayed ? ['Will-Retry-Until: Fri, 9 Dec 2026 18:39:58 +0000 (UTC)'] : []),
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Return-Path: <${options.returnPath}>`,
    'Received: from mta.sealpost.test (mta.sealpost.test [198.51.100.7])',
    '\tby mail.relay.example (Postfix) with ESMTPS id 4F1C32A0F3',
    `\tfor <${options.recipient}>; Fri,  4 Dec 2026 18:39:58 +0000 (UTC)`,
    'From: North Clinic <clinic@north.example>',
    `To: ${options.recipient}`,
    `Subject: ${options.subject ?? 'Your lab results'}`,
    'Message-ID: <6f1c9a52-3f0e-4c55-9d1e-0b7a2c1d4e11@mta.sealpost.test>',
    'MIME-Version: 1.0',
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\n').replace(/\r?\n/g, '\r\n'), 'utf8');
}
