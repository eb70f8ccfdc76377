import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CreatedGatewayCredential, openContent } from '@sealpost/messaging';
import { type Transporter } from 'nodemailer';
import { nodemailerClient, swaks } from '../testing/gateway-clients';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const MAX_RECIPIENTS = 3;
const MAX_MESSAGE_BYTES = 4096;

interface StoredMessage {
  id: string;
  organisation_id: string;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
}

describe('SMTP gateway: what it stores before 250 (real PostgreSQL, nodemailer)', () => {
  let gw: TestGateway;
  let organisationId: string;
  let credential: CreatedGatewayCredential;
  let client: Transporter;

  beforeAll(async () => {
    gw = await startTestGateway({
      SEALPOST_MAX_RECIPIENTS: String(MAX_RECIPIENTS),
      SEALPOST_GATEWAY_MAX_BYTES: String(MAX_MESSAGE_BYTES),
    });
    organisationId = await gw.createOrganisation();
    credential = await gw.access.createCredential(organisationId, 'suite');
    client = nodemailerClient({
      port: gw.port,
      caPem: gw.ca.certPem,
      auth: { user: credential.username, pass: credential.password },
    });
  });

  afterAll(async () => {
    client?.close();
    await gw?.close();
  });

  const idOf = (response?: string) => /accepted as (\S+)/.exec(response ?? '')?.[1] ?? '';

  async function stored(id: string): Promise<StoredMessage | undefined> {
    const [row] = await gw.dataSource.query<StoredMessage[]>(
      `SELECT id, organisation_id, content_ciphertext, content_wrapped_key, content_key_id
         FROM messages WHERE id = $1`,
      [id],
    );
    return row;
  }

  async function messageCount(): Promise<number> {
    const [row] = await gw.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM messages WHERE organisation_id = $1',
      [organisationId],
    );
    return Number(row.count);
  }

  /** A message as a mail client writes it, sent with an explicit envelope. */
  function raw(headers: string[], body = 'Hello.'): string {
    return [...headers, '', body, ''].join('\r\n');
  }

  it('stores it sealed, a row per envelope recipient, with its event and outbox', async () => {
    const subject = `Lab results ${randomBytes(4).toString('hex')}`;
    const info = await client.sendMail({
      from: 'Dr Who <doctor@clinic.example>',
      to: 'patient@example.test',
      cc: 'carer@example.test',
      bcc: 'records@example.test',
      subject,
      text: 'Your results are ready.',
    });
    const message = await stored(idOf(info.response));

    const recipients = await gw.dataSource.query<{ kind: string; address: string }[]>(
      `SELECT kind, address FROM message_recipients WHERE message_id = $1 ORDER BY address`,
      [message?.id],
    );
    expect(recipients).toEqual([
      { kind: 'cc', address: 'carer@example.test' },
      { kind: 'to', address: 'patient@example.test' },
      { kind: 'bcc', address: 'records@example.test' },
    ]);
    const [counts] = await gw.dataSource.query<{ events: string; outbox: string }[]>(
      `SELECT (SELECT count(*) FROM message_events WHERE message_id = $1 AND type = 'accepted')
                AS events,
              (SELECT count(*) FROM outbox o JOIN message_recipients r ON r.id = o.ref_id
                WHERE r.message_id = $1) AS outbox`,
      [message?.id],
    );
    expect(counts).toEqual({ events: '1', outbox: '3' });
    expect(message?.content_ciphertext.toString('latin1')).not.toContain(subject);

    const content = openContent(gw.cipher, organisationId, message?.id ?? '', {
      ciphertext: message?.content_ciphertext ?? Buffer.alloc(0),
      wrappedKey: message?.content_wrapped_key ?? Buffer.alloc(0),
      keyId: message?.content_key_id ?? '',
    });
    const original = content.raw ?? '';
    expect(content.subject).toBe(subject);
    expect(content.text?.trim()).toBe('Your results are ready.');
    // Our trace on top (RFC 5321 4.4: client, this gateway, TLS and AUTH), then the stamp.
    const [received, stamp] = original.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
    expect(received).toMatch(
      /^Received: from \S+ \(\S+ \[127\.0\.0\.1\]\) by \S+ \(Sealpost\) with ESMTPSA id \S+; /,
    );
    expect(stamp).toMatch(new RegExp(`^X-Sealpost-Gateway: i=${gw.gateway.installationId}; host=`));
    expect(original).toContain(`Subject: ${subject}`);
  });

  it('answers a resent message (same bytes and envelope) with the first one', async () => {
    const message = raw([
      'From: doctor@clinic.example',
      'To: patient@example.test',
      `Message-ID: <${randomBytes(8).toString('hex')}@clinic.example>`,
      'Subject: once',
    ]);
    const envelope = { from: 'doctor@clinic.example', to: ['patient@example.test'] };
    const before = await messageCount();

    const first = await client.sendMail({ envelope, raw: message });
    const second = await client.sendMail({ envelope, raw: message });

    expect(idOf(second.response)).toBe(idOf(first.response));
    expect(await messageCount()).toBe(before + 1);
  });

  it('keeps two messages without Message-ID to the same recipient apart', async () => {
    const envelope = { from: 'app@clinic.example', to: ['patient@example.test'] };
    const headers = ['From: app@clinic.example', 'To: patient@example.test', 'Subject: Reminder'];
    const before = await messageCount();

    const first = await client.sendMail({ envelope, raw: raw(headers, 'Monday 9:00') });
    const second = await client.sendMail({ envelope, raw: raw(headers, 'Tuesday 10:00') });

    expect(idOf(second.response)).not.toBe(idOf(first.response));
    expect(await messageCount()).toBe(before + 2);
  });

  it('refuses a message over SIZE with 552 and stores nothing', async () => {
    const before = await messageCount();

    const sending = client.sendMail({
      from: 'doctor@clinic.example',
      to: 'patient@example.test',
      text: 'x'.repeat(MAX_MESSAGE_BYTES * 2),
    });

    await expect(sending).rejects.toMatchObject({ responseCode: 552 });
    expect(await messageCount()).toBe(before);
  });

  it('refuses the same with swaks: too big (552) and malformed (550), nothing stored', async () => {
    const caPath = join(tmpdir(), `sealpost-intake-ca-${process.pid}.pem`);
    writeFileSync(caPath, gw.ca.certPem);
    const base = [
      ...['--tls', '--tls-ca-path', caPath, '--auth', 'PLAIN'],
      ...['--auth-user', credential.username, '--auth-password', credential.password],
      ...['--from', 'doctor@clinic.example', '--to', 'patient@example.test'],
    ];
    const before = await messageCount();

    const big = await swaks(gw.port, [...base, '--body', 'x'.repeat(MAX_MESSAGE_BYTES * 2)]);
    const malformed = await swaks(gw.port, [
      ...base,
      '--data',
      'From: doctor@clinic.example\nthis line is no header field\n\nHello\n',
    ]);

    expect(big.transcript).toMatch(/<~\*\s+552 /);
    expect(malformed.transcript).toMatch(/<~\*\s+550 5\.6\.0 Malformed message/);
    expect(await messageCount()).toBe(before);
  });

  it('refuses recipients over the limit with 452 and keeps the ones before', async () => {
    const to = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `p${i}@example.test`);

    const info = await client.sendMail({ from: 'doctor@clinic.example', to, text: 'many' });

    expect(info.rejected).toEqual([to[MAX_RECIPIENTS]]);
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 452 });
    const [row] = await gw.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM message_recipients WHERE message_id = $1',
      [idOf(info.response)],
    );
    expect(Number(row.count)).toBe(MAX_RECIPIENTS);
  });

  it('refuses malformed MIME with 550 5.6.0 and stores nothing', async () => {
    const before = await messageCount();
    const envelope = { from: 'doctor@clinic.example', to: ['patient@example.test'] };

    for (const message of [
      raw(['From: doctor@clinic.example', 'this line is no header field', 'Subject: x']),
      raw(['Subject: no From at all', 'To: patient@example.test']),
    ]) {
      await expect(
        client.sendMail({ envelope: { ...envelope, from: '' }, raw: message }),
      ).rejects.toMatchObject({ responseCode: 550, response: expect.stringMatching(/5\.6\.0/) });
    }
    expect(await messageCount()).toBe(before);
  });

  it('refuses a message carrying its own installation stamp (loop) with 554 5.4.6', async () => {
    const envelope = { from: 'doctor@clinic.example', to: ['patient@example.test'] };
    const looped = raw([
      `X-Sealpost-Gateway: i=${gw.gateway.installationId}; host=other-node`,
      'From: doctor@clinic.example',
      'Subject: round and round',
    ]);
    const foreign = raw([
      'X-Sealpost-Gateway: i=0123456789abcdef01234567; host=partner',
      'From: doctor@clinic.example',
      'Subject: from another Sealpost',
    ]);

    await expect(client.sendMail({ envelope, raw: looped })).rejects.toMatchObject({
      responseCode: 554,
      response: expect.stringMatching(/5\.4\.6 Routing loop/),
    });
    await expect(client.sendMail({ envelope, raw: foreign })).resolves.toMatchObject({
      response: expect.stringMatching(/^250 /),
    });
  });

  it('answers 451 when the database cannot store the message, and 250 once it can', async () => {
    const message = {
      from: 'doctor@clinic.example',
      to: 'patient@example.test',
      text: 'try again',
    };
    await gw.dataSource.query('ALTER TABLE message_events RENAME TO message_events_away');
    try {
      await expect(client.sendMail(message)).rejects.toMatchObject({
        responseCode: 451,
        response: expect.stringMatching(/4\.3\.0/),
      });
    } finally {
      await gw.dataSource.query('ALTER TABLE message_events_away RENAME TO message_events');
    }
    await expect(client.sendMail(message)).resolves.toMatchObject({
      response: expect.stringMatching(/^250 /),
    });
  });
});
