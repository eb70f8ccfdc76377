import { VerpAddresses } from '@sealpost/messaging';
import { nodemailerClient, smtpDialogue } from '../testing/gateway-clients';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const BOUNCE_DOMAIN = 'bounces.sealpost.test';

/** A minimal RFC 3464 report, as a receiving server sends it back to a return path. */
function deliveryStatusNotice(returnPath: string, failed: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.test',
    `To: ${returnPath}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
    '',
    '--r',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--r',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.test',
    '',
    `Final-Recipient: rfc822; ${failed}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '',
    '--r--',
    '.',
  ].join('\r\n');
}

describe('SMTP gateway: bounce notices on return paths (real PostgreSQL)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ SEALPOST_BOUNCE_DOMAIN: BOUNCE_DOMAIN });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('takes a notice for a genuine return path from any host and records the bounce', async () => {
    const organisationId = await gw.createOrganisation();
    const credential = await gw.access.createCredential(organisationId, 'suite');
    const info = await nodemailerClient({
      port: gw.port,
      caPem: gw.ca.certPem,
      auth: { user: credential.username, pass: credential.password },
    }).sendMail({ from: 'doctor@clinic.example', to: 'gone@example.test', text: 'Hello' });
    const [copy] = await gw.dataSource.query<{ id: string }[]>(
      `SELECT r.id FROM message_recipients r WHERE r.message_id = $1`,
      [/accepted as (\S+)/.exec(info.response ?? '')?.[1]],
    );
    const returnPath = gw.app.get(VerpAddresses).returnPathFor(copy.id);

    const replies = await smtpDialogue(gw.port, [
      'EHLO mx.example.test',
      'MAIL FROM:<>',
      `RCPT TO:<${returnPath}>`,
      'DATA',
      deliveryStatusNotice(returnPath, 'gone@example.test'),
    ]);

    expect(replies.slice(2)).toEqual([
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^354 /),
      expect.stringMatching(/^250 2\.6\.0 Delivery status notification received/),
    ]);
    const events = await gw.dataSource.query<{ type: string }[]>(
      `SELECT type FROM message_events WHERE recipient_id = $1 AND type = 'bounced'`,
      [copy.id],
    );
    expect(events).toHaveLength(1);
  });

  it('refuses a forged return path like any relaying attempt (554)', async () => {
    const replies = await smtpDialogue(gw.port, [
      'EHLO mx.example.test',
      'MAIL FROM:<>',
      `RCPT TO:<bounce+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@${BOUNCE_DOMAIN}>`,
    ]);

    expect(replies[3]).toMatch(/^554 5\.7\.1 Relaying denied/);
  });
});
