import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import { type AuthContext, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { DEFAULT_POLICY, PolicyService } from '@sealpost/encryption';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { DataSource } from 'typeorm';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { type DeliveryJob } from '../outbox/delivery-job';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deliveryJobFor,
  testConfig,
} from '../testing/messaging-test-kit';
import { deliveryTestModule } from '../testing/delivery-test-module';
import { DeliverBatchUseCase } from './deliver-batch.use-case';

interface RecipientRow {
  status: string;
  method: string | null;
  tls_version: string | null;
  attempts: number;
  delivered_at: Date | null;
}

interface EventRow {
  type: string;
  data: Record<string, unknown>;
}

describe('delivery use cases (real PostgreSQL and SMTP peers)', () => {
  let database: TestDatabase;
  let caDir: string;
  let accepting: SmtpSink;
  let refusing: SmtpSink;
  let busy: SmtpSink;
  let plaintext: SmtpSink;
  let requiring: SmtpSink;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let deliver: DeliverBatchUseCase;
  let accept: AcceptMessageUseCase;
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
    accepting = await SmtpSink.start({ tls });
    refusing = await SmtpSink.start({
      tls,
      rcptReply: () => ({ code: 550, message: '5.1.1 No such user' }),
    });
    busy = await SmtpSink.start({
      tls,
      rcptReply: () => ({ code: 451, message: '4.3.0 Try again later' }),
    });
    plaintext = await SmtpSink.start();
    requiring = await SmtpSink.start({ tls, offerRequireTls: true });

    database = await createTestDatabase();
    const route = (sink: SmtpSink) => `127.0.0.1:${sink.port}`;
    const config = testConfig(database.url, {
      SEALPOST_TRANSPORT_MAP: [
        `example.test=${route(accepting)}`,
        `refusing.test=${route(refusing)}`,
        `busy.test=${route(busy)}`,
        `plaintext.test=${route(plaintext)}`,
        `requiretls.test=${route(requiring)}`,
      ].join(','),
      SEALPOST_TLS_CA_FILE: join(caDir, 'ca.pem'),
    });
    // Everything real except DNS, which the transport map makes unnecessary.
    moduleRef = await deliveryTestModule(config, {
      imports: [AuditModule],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    deliver = moduleRef.get(DeliverBatchUseCase);
    accept = moduleRef.get(AcceptMessageUseCase);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all(
      [accepting, refusing, busy, plaintext, requiring].map((sink) => sink?.close()),
    );
    await database?.drop();
    rmSync(caDir, { recursive: true, force: true });
  });

  /** Accepts a message to one new address at `domain`; returns the address and its job. */
  async function acceptFor(domain: string): Promise<{ address: string; job: DeliveryJob }> {
    const address = anAddress(domain);
    const { message } = await accept.execute(caller, aSendMessageCommand({ to: [address] }));
    return { address, job: await deliveryJobFor(dataSource, message.recipients[0].id) };
  }

  async function recipient(job: DeliveryJob): Promise<RecipientRow> {
    const [row] = await dataSource.query<RecipientRow[]>(
      `SELECT status, method, tls_version, attempts, delivered_at
         FROM message_recipients WHERE id = $1`,
      [job.recipientId],
    );
    return row;
  }

  function events(job: DeliveryJob): Promise<EventRow[]> {
    return dataSource.query<EventRow[]>(
      'SELECT type, data FROM message_events WHERE recipient_id = $1 ORDER BY id',
      [job.recipientId],
    );
  }

  async function outbox(job: DeliveryJob): Promise<{ available_at: Date } | undefined> {
    const [row] = await dataSource.query<{ available_at: Date }[]>(
      'SELECT available_at FROM outbox WHERE id = $1',
      [job.outboxId],
    );
    return row;
  }

  const receivedBy = (sink: SmtpSink, address: string) =>
    sink.messages.filter((message) => message.to.includes(address));

  it('delivers over verified TLS and records method, TLS version and event', async () => {
    const { address, job } = await acceptFor('example.test');

    await deliver.execute([job]);

    const received = receivedBy(accepting, address);
    expect(received).toHaveLength(1);
    expect(received[0].secure).toBe(true);
    expect(received[0].requireTls).toBe(false);
    const row = await recipient(job);
    expect(row).toMatchObject({ status: 'delivered', method: 'tls', attempts: 1 });
    expect(row.tls_version).toMatch(/^TLSv1\.[23]$/);
    expect(row.delivered_at).toBeInstanceOf(Date);
    expect((await events(job)).map((event) => event.type)).toEqual(['delivered']);
    expect(await outbox(job)).toBeUndefined();
  });

  it('asks a server that offers REQUIRETLS to keep TLS onward, and records that', async () => {
    const { address, job } = await acceptFor('requiretls.test');

    await deliver.execute([job]);

    const received = receivedBy(requiring, address);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ secure: true, requireTls: true });
    const [{ decision }] = await dataSource.query<{ decision: { reasons: string[] } }[]>(
      'SELECT decision FROM message_recipients WHERE id = $1',
      [job.recipientId],
    );
    expect(decision.reasons).toContain('REQUIRETLS offered: requested');
  });

  it('records each outcome of a batch that mixes delivered, bounced and deferred', async () => {
    const delivered = await acceptFor('example.test');
    const bounced = await acceptFor('refusing.test');
    const deferred = await acceptFor('busy.test');

    await deliver.execute([delivered.job, bounced.job, deferred.job]);

    expect(receivedBy(accepting, delivered.address)).toHaveLength(1);
    expect((await recipient(delivered.job)).status).toBe('delivered');
    expect((await recipient(bounced.job)).status).toBe('bounced');
    expect((await recipient(deferred.job)).status).toBe('deferred');
    expect(await outbox(delivered.job)).toBeUndefined();
    expect(await outbox(bounced.job)).toBeUndefined();
    expect(await outbox(deferred.job)).toBeDefined();
    for (const { job } of [delivered, bounced, deferred]) {
      expect(await events(job)).toHaveLength(1);
    }
  });

  it("refuses a batch that mixes organisations, claiming nobody's recipient", async () => {
    const ours = await acceptFor('example.test');
    const other = await aCaller(moduleRef.get(OrganisationsService));
    const { message } = await accept.execute(
      other,
      aSendMessageCommand({ to: [anAddress('example.test')] }),
    );
    const theirs = await deliveryJobFor(dataSource, message.recipients[0].id);

    await expect(deliver.execute([ours.job, theirs])).rejects.toThrow(/one organisation/);

    expect((await recipient(ours.job)).attempts).toBe(0);
    expect((await recipient(theirs)).attempts).toBe(0);
  });

  it('sends nothing more when the same job runs again', async () => {
    const { address, job } = await acceptFor('example.test');
    await deliver.execute([job]);

    await deliver.execute([job]);

    expect(receivedBy(accepting, address)).toHaveLength(1);
    expect((await recipient(job)).status).toBe('delivered');
    expect((await events(job)).map((event) => event.type)).toEqual(['delivered']);
  });

  it('bounces a recipient the server refuses with 550', async () => {
    const { job } = await acceptFor('refusing.test');

    await deliver.execute([job]);

    expect(refusing.messages).toHaveLength(0);
    const recorded = await events(job);
    expect((await recipient(job)).status).toBe('bounced');
    expect(recorded.map((event) => event.type)).toEqual(['bounced']);
    expect(recorded[0].data.responseCode).toBe(550);
    expect(await outbox(job)).toBeUndefined();
  });

  it('defers a recipient the server answers with 451 and schedules the retry', async () => {
    const { job } = await acceptFor('busy.test');
    const before = Date.now();

    await deliver.execute([job]);

    const recorded = await events(job);
    const retryAt = Date.parse(String(recorded[0]?.data.retryAt));
    const row = await outbox(job);
    expect((await recipient(job)).status).toBe('deferred');
    expect(recorded.map((event) => event.type)).toEqual(['deferred']);
    expect(recorded[0].data.responseCode).toBe(451);
    expect(retryAt).toBeGreaterThan(before);
    expect(row?.available_at.getTime()).toBeGreaterThan(before);
    expect(Math.abs((row?.available_at.getTime() ?? 0) - retryAt)).toBeLessThan(1000);
  });

  it('fails without sending to a server without STARTTLS when policy has no portal', async () => {
    // The portal would otherwise reach this recipient (see portal.int-spec.ts).
    const tlsOnly = await aCaller(moduleRef.get(OrganisationsService));
    await moduleRef
      .get(PolicyService)
      .put(tlsOnly, { ...DEFAULT_POLICY, methodOrder: ['pgp', 'smime', 'tls'] });
    const { message } = await accept.execute(
      tlsOnly,
      aSendMessageCommand({ to: [anAddress('plaintext.test')] }),
    );
    const job = await deliveryJobFor(dataSource, message.recipients[0].id);

    await deliver.execute([job]);

    expect(plaintext.messages).toHaveLength(0);
    expect((await recipient(job)).status).toBe('failed');
    expect((await events(job)).map((event) => event.type)).toEqual(['failed']);
  }, 5000);

  it('sends nothing while another lease is live and retries when it ends', async () => {
    const { address, job } = await acceptFor('example.test');
    const [[{ lease_until: leaseUntil }]] = await dataSource.query<
      [{ lease_until: Date }[], number]
    >(
      `UPDATE message_recipients SET lease_until = now() + interval '90 seconds'
        WHERE id = $1 RETURNING lease_until`,
      [job.recipientId],
    );

    await deliver.execute([job]);

    expect(receivedBy(accepting, address)).toHaveLength(0);
    expect(await recipient(job)).toMatchObject({ status: 'accepted', attempts: 0 });
    expect((await outbox(job))?.available_at).toEqual(leaseUntil);
  });
});
