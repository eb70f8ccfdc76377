import { randomBytes, randomUUID } from 'node:crypto';
import { type TestingModule } from '@nestjs/testing';
import { EnvelopeCipher, OrganisationsService } from '@sealpost/core';
import { FhirConnectionsService, MESSAGE_RECIPIENT_SYSTEM } from '@sealpost/fhir';
import { sealContent } from '@sealpost/messaging';
import { type LoopbackFhirServer, startLoopbackFhirServer } from '@sealpost/test-peers/fhir';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

/** The whole worker as main.ts builds it: trigger, NOTIFY, dispatcher, Bull, processor. */
describe('FHIR sync worker (real PostgreSQL, Redis and a loopback FHIR server)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let ehr: LoopbackFhirServer;
  let organisationId: string;
  const token = randomBytes(24).toString('base64url');

  async function aChartedMessage(): Promise<{ messageId: string; recipientId: string }> {
    const dataSource = worker.get(DataSource);
    const messageId = randomUUID();
    const recipientId = randomUUID();
    const address = `p.${randomBytes(4).toString('hex')}@patients.example`;
    const sealed = sealContent(worker.get(EnvelopeCipher), organisationId, messageId, {
      subject: 'Your appointment',
      text: 'See you on Monday.',
      headers: {},
      attachments: [],
      to: [address],
      cc: [],
    });
    await dataSource.query(
      `INSERT INTO contacts (id, organisation_id, email, email_normalised, ehr_patient_ref)
       VALUES ($1, $2, $3, $3, 'Patient/p-42')`,
      [randomUUID(), organisationId, address],
    );
    await dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
           content_wrapped_key, content_key_id, size_bytes)
         VALUES ($1, $2, 'clinic@example.org', $3, $4, $5, 1)`,
        [messageId, organisationId, sealed.ciphertext, sealed.wrappedKey, sealed.keyId],
      );
      await tx.query(
        `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address,
           domain, status) VALUES ($1, $2, $3, 'to', $4, 'patients.example', 'sent')`,
        [recipientId, organisationId, messageId, address],
      );
      await tx.query(
        `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
         VALUES ($1, $2, $3, 'queued'), ($1, $2, $3, 'delivered')`,
        [organisationId, messageId, recipientId],
      );
    });
    return { messageId, recipientId };
  }

  /** Waits (polling) until the EHR holds the recipient's Communication; undefined on timeout. */
  async function chartedStatus(recipientId: string, within: number): Promise<string[]> {
    const deadline = Date.now() + within;
    for (;;) {
      const found = (await ehr.communications()).filter((resource) =>
        JSON.stringify(resource).includes(`"${MESSAGE_RECIPIENT_SYSTEM}","value":"${recipientId}"`),
      );
      if (found.length || Date.now() > deadline) {
        return found.map((resource) => (resource as { status: string }).status);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    ehr = await startLoopbackFhirServer({ acceptsToken: (presented) => presented === token });
    started = await startTestWorker();
    worker = started.worker;
    organisationId = (await worker.get(OrganisationsService).create('fhir-worker-org')).id;
    await worker
      .get(FhirConnectionsService, { strict: false })
      .create(
        organisationId,
        { name: 'EHR', baseUrl: ehr.baseUrl, authMode: 'bearer', bearerToken: token },
        { type: 'system', id: 'test' },
      );
  });

  afterAll(async () => {
    await started?.close();
    await ehr?.close();
  });

  it('charts a committed message event in the EHR within seconds', async () => {
    const { recipientId } = await aChartedMessage();

    expect(await chartedStatus(recipientId, 10_000)).toEqual(['completed']);
  }, 20_000);

  it('holds writes while the EHR is down and delivers them once when it is back', async () => {
    await ehr.goDown();
    const { messageId, recipientId } = await aChartedMessage();
    const dataSource = worker.get(DataSource);
    const failedOnce = async () => {
      const [row] = await dataSource.query<{ last_error: string | null }[]>(
        `SELECT last_error FROM fhir_syncs WHERE message_id = $1`,
        [messageId],
      );
      return row?.last_error;
    };
    const deadline = Date.now() + 10_000;
    while ((await failedOnce()) !== 'unreachable' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await failedOnce()).toBe('unreachable');

    await ehr.comeBack();

    // The first retry is due 10 seconds after the failed attempt.
    expect(await chartedStatus(recipientId, 20_000)).toEqual(['completed']);
  }, 40_000);
});
