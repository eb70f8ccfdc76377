import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import { type AuthContext, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { DeliverBatchUseCase } from '../delivery/deliver-batch.use-case';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { type SendMessageCommand } from '../messages/send-message.command';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deliveryJobFor,
  testConfig,
} from '../testing/messaging-test-kit';
import { deliveryTestModule } from '../testing/delivery-test-module';
import { EngagementSink, type EngagementEvent } from './engagement-sink';
import { OrganisationSettingsService } from './organisation-settings.service';
import { RecordEngagementUseCase, sha256Hex } from './record-engagement.use-case';
import { TrackingModule } from './tracking.module';
import { TrackingTokens } from './tracking-tokens';

/** Stands where the workflow engine's sink goes: keeps what it hears; can be made to fail. */
@Injectable()
class RecordingSink extends EngagementSink {
  readonly events: EngagementEvent[] = [];
  failing = false;

  record(event: EngagementEvent): Promise<void> {
    this.events.push(event);
    return this.failing ? Promise.reject(new Error('engine down')) : Promise.resolve();
  }
}

@Module({ providers: [RecordingSink], exports: [RecordingSink] })
class RecordingSinkModule {}

const PUBLIC_URL = 'https://mail.sealpost.test';
const TRACKED = /https:\/\/mail\.sealpost\.test\/t\/([oc])\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;
const HTML =
  '<html><body><p>Your results &amp; plan.</p>' +
  '<a href="https://clinic.example/results?id=42&amp;v=2">Read</a> ' +
  '<a href="mailto:desk@clinic.example">Mail us</a></body></html>';

describe('tracking (real PostgreSQL and SMTP sink)', () => {
  let database: TestDatabase;
  let caDir: string;
  let sink: SmtpSink;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let engagement: RecordEngagementUseCase;
  let recording: RecordingSink;
  let caller: AuthContext;

  beforeAll(async () => {
    const ca = createTestCa();
    const tls = issueCertificate(ca, {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    caDir = mkdtempSync(join(tmpdir(), 'sealpost-ca-'));
    writeFileSync(join(caDir, 'ca.pem'), ca.certPem);
    sink = await SmtpSink.start({ tls });
    const plain = await SmtpSink.start();
    database = await createTestDatabase();
    const config = testConfig(database.url, {
      SEALPOST_TRANSPORT_MAP:
        `example.test=127.0.0.1:${sink.port},portal.test=127.0.0.1:${plain.port},` +
        `sender.test=127.0.0.1:${plain.port}`,
      SEALPOST_TLS_CA_FILE: join(caDir, 'ca.pem'),
      SEALPOST_PUBLIC_URL: PUBLIC_URL,
    });
    plainSink = plain;
    moduleRef = await deliveryTestModule(config, {
      imports: [
        AuditModule,
        TrackingModule.forRoot({ imports: [RecordingSinkModule], sink: RecordingSink }),
      ],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    engagement = moduleRef.get(RecordEngagementUseCase);
    recording = moduleRef.get(RecordingSink);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  let plainSink: SmtpSink;

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all([sink?.close(), plainSink?.close()]);
    await database?.drop();
    rmSync(caDir, { recursive: true, force: true });
  });

  /** Accepts and delivers; returns each recipient's id and the HTML it received. */
  async function send(
    from: AuthContext,
    overrides: Partial<SendMessageCommand>,
    received = sink,
  ): Promise<{
    messageId: string;
    copies: { recipientId: string; html: string | false | undefined; raw: string }[];
  }> {
    const accept = moduleRef.get(AcceptMessageUseCase);
    const { message } = await accept.execute(from, aSendMessageCommand(overrides));
    const jobs = await Promise.all(
      message.recipients.map((recipient) => deliveryJobFor(dataSource, recipient.id)),
    );
    await moduleRef.get(DeliverBatchUseCase).execute(jobs);
    const copies = await Promise.all(
      message.recipients.map(async (recipient) => {
        const copy = received.messages.find((m) => m.to.includes(recipient.address));
        if (!copy) {
          throw new Error('a copy did not arrive');
        }
        const html = (await simpleParser(copy.raw)).html;
        return { recipientId: recipient.id, html, raw: copy.raw.toString('latin1') };
      }),
    );
    return { messageId: message.id, copies };
  }

  const tokensIn = (html: string | false | undefined) =>
    [...String(html).matchAll(TRACKED)].map(([, kind, token]) => ({ kind, token }));

  const eventsOf = (recipientId: string) =>
    dataSource.query<{ type: string; data: Record<string, unknown> }[]>(
      `SELECT type, data FROM message_events
        WHERE recipient_id = $1 AND type IN ('opened', 'clicked') ORDER BY id`,
      [recipientId],
    );

  it('gives each recipient its own pixel and tracked links in the HTML part', async () => {
    const { copies } = await send(caller, {
      to: [anAddress('example.test'), anAddress('example.test')],
      html: HTML,
    });

    const [first, second] = copies.map((copy) => tokensIn(copy.html));
    expect(first.map((t) => t.kind)).toEqual(['c', 'o']);
    expect(second.map((t) => t.kind)).toEqual(['c', 'o']);
    expect(first[0].token).not.toBe(second[0].token);
    expect(copies[0].html).toContain('<p>Your results &amp; plan.</p>');
    expect(copies[0].html).toContain('<a href="mailto:desk@clinic.example">Mail us</a>');
    expect(copies[0].html).not.toContain('clinic.example/results');
  });

  it('records an open and a click on the right copy and hands them to the sink', async () => {
    const { messageId, copies } = await send(caller, {
      to: [anAddress('example.test')],
      html: HTML,
    });
    const [{ recipientId, html }] = copies;
    const [click, open] = tokensIn(html);
    recording.events.length = 0;

    expect(await engagement.open(open.token)).toBe(true);
    const url = await engagement.click(click.token);

    expect(url).toBe('https://clinic.example/results?id=42&v=2');
    const ids = { organisationId: caller.organisationId, messageId, recipientId };
    expect(recording.events).toEqual([
      { ...ids, type: 'opened', url: undefined, at: expect.any(Date) },
      { ...ids, type: 'clicked', url, at: expect.any(Date) },
    ]);
    expect(await eventsOf(recipientId)).toEqual([
      { type: 'opened', data: {} },
      { type: 'clicked', data: { link: 0, urlHash: sha256Hex(String(url)) } },
    ]);
  });

  it('records nothing and calls no one for a tampered or misused token', async () => {
    const { copies } = await send(caller, { to: [anAddress('example.test')], html: HTML });
    const [{ recipientId, html }] = copies;
    const [click, open] = tokensIn(html);
    const tampered = click.token.replace(
      /^(.{10})(.)/,
      (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'),
    );
    recording.events.length = 0;

    expect(await engagement.click(tampered)).toBeNull();
    expect(await engagement.click(open.token)).toBeNull();
    expect(await engagement.open(click.token)).toBe(false);
    expect(await eventsOf(recipientId)).toEqual([]);
    expect(recording.events).toEqual([]);
  });

  it('refuses a well-signed token that names no recipient of that message', async () => {
    const other = await send(caller, { to: [anAddress('example.test')], html: HTML });
    const { messageId } = await send(caller, { to: [anAddress('example.test')], html: HTML });
    const tokens = moduleRef.get(TrackingTokens);
    const misbound = tokens.sign({
      kind: 'open',
      organisationId: caller.organisationId,
      messageId,
      recipientId: other.copies[0].recipientId,
    });

    expect(await engagement.open(misbound)).toBe(false);
    expect(await eventsOf(other.copies[0].recipientId)).toEqual([]);
  });

  it('still redirects and keeps the event when the sink fails', async () => {
    const { copies } = await send(caller, { to: [anAddress('example.test')], html: HTML });
    const [click] = tokensIn(copies[0].html);
    recording.failing = true;

    try {
      expect(await engagement.click(click.token)).toBe('https://clinic.example/results?id=42&v=2');
    } finally {
      recording.failing = false;
    }
    expect(await eventsOf(copies[0].recipientId)).toHaveLength(1);
  });

  it('leaves the HTML untouched when the organisation turned tracking off', async () => {
    const settings = moduleRef.get(OrganisationSettingsService);
    const quiet = await aCaller(moduleRef.get(OrganisationsService));
    await settings.update(quiet, { tracking: { enabled: false } });

    const { copies } = await send(quiet, { to: [anAddress('example.test')], html: HTML });

    expect(copies[0].html).toBe(HTML);
    expect(await settings.get(caller)).toEqual({ tracking: { enabled: true } });
  });

  it('leaves the HTML untouched when the message says tracking: false', async () => {
    const { copies } = await send(caller, {
      to: [anAddress('example.test')],
      html: HTML,
      tracking: false,
    });

    expect(copies[0].html).toBe(HTML);
  });

  it('never tracks a portal notice', async () => {
    const { copies } = await send(
      caller,
      { from: 'Clinic <clinic@sender.test>', to: [anAddress('portal.test')], html: HTML },
      plainSink,
    );

    const [{ method }] = await dataSource.query<{ method: string }[]>(
      'SELECT method FROM message_recipients WHERE id = $1',
      [copies[0].recipientId],
    );
    expect(method).toBe('portal');
    expect(copies[0].raw).toContain('/portal/');
    expect(copies[0].raw).not.toMatch(/\/t\/[oc]\//);
  });
});
