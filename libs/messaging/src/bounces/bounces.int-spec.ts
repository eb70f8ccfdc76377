import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import { CapturingLogger } from '@sealpost/audit/testing';
import { type AuthContext, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { createTestCa, issueCertificate, postfixDsn, SmtpSink } from '@sealpost/test-peers';
import { DataSource } from 'typeorm';
import { DeliverBatchUseCase } from '../delivery/deliver-batch.use-case';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deliveryJobFor,
  testConfig,
} from '../testing/messaging-test-kit';
import { deliveryTestModule } from '../testing/delivery-test-module';
import { ReceiveBounceUseCase } from './receive-bounce.use-case';
import { SuppressionListService } from './suppression-list.service';
import { VerpAddresses } from './verp-addresses';

interface Copy {
  recipientId: string;
  address: string;
  returnPath: string;
}

describe('bounces and suppression (real PostgreSQL and SMTP peer)', () => {
  const logs = new CapturingLogger();
  let database: TestDatabase;
  let caDir: string;
  let sink: SmtpSink;
  let refusing: SmtpSink;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let bounces: ReceiveBounceUseCase;
  let suppressions: SuppressionListService;
  let caller: AuthContext;

  beforeAll(async () => {
    const ca = createTestCa();
    caDir = mkdtempSync(join(tmpdir(), 'sealpost-ca-'));
    writeFileSync(join(caDir, 'ca.pem'), ca.certPem);
    const tls = issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'] });
    sink = await SmtpSink.start({ tls });
    refusing = await SmtpSink.start({
      tls,
      rcptReply: () => ({ code: 550, message: '5.1.1 No such user here' }),
    });
    database = await createTestDatabase();
    const config = testConfig(database.url, {
      SEALPOST_TRANSPORT_MAP: [
        `patients.example=127.0.0.1:${sink.port}`,
        `gone.example=127.0.0.1:${refusing.port}`,
      ].join(','),
      SEALPOST_TLS_CA_FILE: join(caDir, 'ca.pem'),
      SEALPOST_BOUNCE_DOMAIN: 'bounces.sealpost.test',
    });
    moduleRef = await deliveryTestModule(config, {
      imports: [AuditModule],
      providers: [ReceiveBounceUseCase, SuppressionListService],
    }).compile();
    moduleRef.useLogger(logs);
    dataSource = moduleRef.get(DataSource);
    bounces = moduleRef.get(ReceiveBounceUseCase);
    suppressions = moduleRef.get(SuppressionListService);
    caller = { ...(await aCaller(moduleRef.get(OrganisationsService))), scopes: ['admin'] };
  });

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all([sink?.close(), refusing?.close()]);
    await database?.drop();
    rmSync(caDir, { recursive: true, force: true });
  });

  /** Accepts a message to `address` and delivers it; the copy as the peer received it. */
  async function sendTo(address: string, owner = caller): Promise<Copy> {
    const { message } = await moduleRef
      .get(AcceptMessageUseCase)
      .execute(owner, aSendMessageCommand({ to: [address] }));
    const recipientId = message.recipients[0].id;
    await moduleRef
      .get(DeliverBatchUseCase)
      .execute([await deliveryJobFor(dataSource, recipientId)]);
    const received = sink.messages.find((copy) => copy.to.includes(address));
    return { recipientId, address, returnPath: received?.from ?? '' };
  }

  async function copyState(recipientId: string) {
    const [row] = await dataSource.query<
      { status: string; last_error: string | null; smtp_response: string | null }[]
    >('SELECT status, last_error, smtp_response FROM message_recipients WHERE id = $1', [
      recipientId,
    ]);
    const events = await dataSource.query<
      { id: string; type: string; data: Record<string, unknown> }[]
    >('SELECT id, type, data FROM message_events WHERE recipient_id = $1 ORDER BY id', [
      recipientId,
    ]);
    return { ...row, events };
  }

  async function suppressedAddresses(organisationId = caller.organisationId): Promise<string[]> {
    const rows = await dataSource.query<{ address: string }[]>(
      'SELECT address FROM suppressions WHERE organisation_id = $1 ORDER BY address',
      [organisationId],
    );
    return rows.map((row) => row.address);
  }

  /** An enabled endpoint filtered to bounces; its secret columns are placeholders. */
  async function subscribeToBounces(organisationId: string): Promise<void> {
    await dataSource.query(
      `INSERT INTO webhook_endpoints (id, organisation_id, url, event_types, signing,
         secret_ciphertext, secret_wrapped_key, secret_key_id)
       VALUES ($1, $2, 'https://hooks.example/bounces', '{message.bounced}', 'hmac-sha256',
         '\\x00', '\\x00', 'unused')`,
      [randomUUID(), organisationId],
    );
  }

  it('sends each copy with its own return path in the bounce domain', async () => {
    const copy = await sendTo(anAddress('patients.example'));

    expect(copy.returnPath).toMatch(/^bounce\+[a-z2-7]{42}@bounces\.sealpost\.test$/);
    expect(copy.returnPath).not.toContain(copy.address.split('@')[0]);
    expect(moduleRef.get(VerpAddresses).recipientOf(copy.returnPath)).toBe(copy.recipientId);
    expect(bounces.accepts(copy.returnPath)).toBe(true);
  });

  it('turns a DSN generated the way Postfix writes one into a bounced event', async () => {
    const copy = await sendTo(anAddress('patients.example'));
    await subscribeToBounces(caller.organisationId);
    const raw = postfixDsn({ returnPath: copy.returnPath, recipient: copy.address });

    const { reference } = await bounces.receive(raw, { rcptTo: [copy.returnPath] });
    const repeated = await bounces.receive(raw, { rcptTo: [copy.returnPath] });

    const state = await copyState(copy.recipientId);
    const bounced = state.events.find((event) => event.type === 'bounced');
    expect(state.status).toBe('bounced');
    // The remote reply replaces our relay's 250: reports class bounces by it.
    expect(state.smtp_response).toMatch(/^550 5\.1\.1 /);
    expect(state.events.map((event) => event.type)).toEqual(['delivered', 'bounced']);
    expect(reference).toBe(`event-${bounced?.id}`);
    // A notice sent again (our 250 was lost) is recorded once.
    expect(repeated.reference).toBe('ignored');
    expect(bounced?.data).toEqual({
      source: 'dsn',
      format: 'rfc3464',
      status: '5.1.1',
      class: 'hard',
      diagnosticCode: expect.stringMatching(/^smtp; 550 5\.1\.1 .*User unknown/),
      remoteMta: 'dns; mx.patients.example',
      reportingMta: 'dns; mail.relay.example',
      suppressed: true,
    });
    expect(await suppressedAddresses()).toContain(copy.address.toLowerCase());
    // Like every message event, it is queued for the audit chain in the same transaction.
    const queued = await dataSource.query('SELECT 1 FROM audit_event_queue WHERE event_id = $1', [
      bounced?.id,
    ]);
    expect(queued).toHaveLength(1);
    // ...and fanned out to the organisation's webhook endpoints that take message.bounced.
    const fannedOut = await dataSource.query<{ event_type: string }[]>(
      'SELECT event_type FROM webhook_deliveries WHERE event_id = $1',
      [bounced?.id],
    );
    expect(fannedOut).toEqual([{ event_type: 'message.bounced' }]);
  });

  it('records a soft bounce without suppressing the address', async () => {
    const copy = await sendTo(anAddress('patients.example'));
    const raw = postfixDsn({
      returnPath: copy.returnPath,
      recipient: copy.address,
      status: '4.4.7',
      reply: '451 4.4.7 Delivery time expired',
    });

    await bounces.receive(raw, { rcptTo: [copy.returnPath] });

    const state = await copyState(copy.recipientId);
    expect(state.status).toBe('bounced');
    expect(state.events.at(-1)?.data).toMatchObject({ status: '4.4.7', class: 'soft' });
    expect(await suppressedAddresses()).not.toContain(copy.address.toLowerCase());
  });

  it('records nothing for a delayed-mail warning', async () => {
    const copy = await sendTo(anAddress('patients.example'));
    const raw = postfixDsn({
      returnPath: copy.returnPath,
      recipient: copy.address,
      action: 'delayed',
    });

    const { reference } = await bounces.receive(raw, { rcptTo: [copy.returnPath] });

    expect(reference).toBe('ignored');
    expect(await copyState(copy.recipientId)).toMatchObject({ status: 'delivered' });
  });

  it('refuses a forged return path and one whose copy does not exist', async () => {
    const copy = await sendTo(anAddress('patients.example'));
    const forged = copy.returnPath.replace(/\+[a-z2-7]{6}/, '+aaaaaa');
    const stranger = moduleRef.get(VerpAddresses).returnPathFor(randomUUID());
    const raw = postfixDsn({ returnPath: forged, recipient: copy.address });

    const answers = await bounces.receive(raw, { rcptTo: [forged, stranger] });

    expect(bounces.accepts(forged)).toBe(false);
    expect(answers.reference).toBe('unknown unknown');
    expect(await copyState(copy.recipientId)).toMatchObject({ status: 'delivered' });
    expect(await suppressedAddresses()).not.toContain(copy.address.toLowerCase());
  });

  it('does not deliver to a suppressed address, and does again once it is removed', async () => {
    const address = anAddress('patients.example');
    const first = await sendTo(address);
    await bounces.receive(postfixDsn({ returnPath: first.returnPath, recipient: address }), {
      rcptTo: [first.returnPath],
    });
    const received = sink.messages.length;

    const blocked = await sendTo(
      address.toUpperCase().replace('@PATIENTS.EXAMPLE', '@patients.example'),
    );
    const blockedState = await copyState(blocked.recipientId);
    await suppressions.remove(caller, address);
    const released = await sendTo(address);

    expect(blocked.returnPath).toBe('');
    expect(blockedState.status).toBe('failed');
    expect(blockedState.events).toEqual([
      expect.objectContaining({ type: 'failed', data: { reason: 'suppressed' } }),
    ]);
    expect(sink.messages.length).toBe(received + 1);
    expect((await copyState(released.recipientId)).status).toBe('delivered');
    expect(await suppressedAddresses()).not.toContain(address);
  });

  it('suppresses an address the receiving server refuses at RCPT TO with a 5xx', async () => {
    const address = anAddress('gone.example');

    const refused = await sendTo(address);
    const again = await sendTo(address);

    const state = await copyState(refused.recipientId);
    expect(state.status).toBe('bounced');
    expect(state.events.at(-1)?.data).toMatchObject({
      status: '5.1.1',
      class: 'hard',
      suppressed: true,
    });
    expect(await suppressedAddresses()).toContain(address);
    expect((await copyState(again.recipientId)).events).toEqual([
      expect.objectContaining({ type: 'failed', data: { reason: 'suppressed' } }),
    ]);
  });

  it("keeps one organisation's suppression from another's sends", async () => {
    const address = anAddress('patients.example');
    const other = await aCaller(moduleRef.get(OrganisationsService));
    await suppressions.add(caller, address);

    const theirs = await sendTo(address, other);

    expect((await copyState(theirs.recipientId)).status).toBe('delivered');
    expect(await suppressedAddresses(other.organisationId)).toEqual([]);
  });

  it('logs ids and outcomes, never an address or the diagnostic', () => {
    const text = logs.lines.join('\n');

    expect(text).toContain('bounce recorded');
    for (const phi of ['patients.example', 'User unknown', 'Your lab results']) {
      expect(text).not.toContain(phi);
    }
  });
});
