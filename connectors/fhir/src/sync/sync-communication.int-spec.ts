import { randomBytes } from 'node:crypto';
import {
  fhirValidationErrors,
  type LoopbackFhirServer,
  startLoopbackFhirServer,
} from '@sealpost/test-peers/fhir';
import Client from 'fhir-kit-client';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { TestFhirConnectionUseCase } from '../connections/test-fhir-connection.use-case';
import {
  ENGAGEMENT_EXTENSION,
  MESSAGE_RECIPIENT_SYSTEM,
  MESSAGE_REPLY_SYSTEM,
} from '../fhir-naming';
import {
  aPatientMessage,
  anEvent,
  type FhirTestModule,
  type PatientMessage,
  startFhirTestModule,
  syncOf,
} from '../testing/fhir-test-kit';
import { FhirStatusService } from '../status/fhir-status.service';
import { FHIR_MAX_ATTEMPTS } from './fhir-sync-job';
import { SyncCommunicationUseCase } from './sync-communication.use-case';

const ACTOR = { type: 'system' as const, id: 'test' };

describe('charting messages in an EHR that updates (real PostgreSQL, loopback FHIR server)', () => {
  let test: FhirTestModule;
  let ehr: LoopbackFhirServer;
  let sync: SyncCommunicationUseCase;
  let connectionId: string;
  const token = randomBytes(24).toString('base64url');

  /** Runs the sync of a recipient once, as the queue would. */
  async function syncNow(message: PatientMessage) {
    const row = await syncOf(test, connectionId, message);
    const [outcome] = await sync.execute({
      v: 1,
      organisationId: test.organisationId,
      syncIds: [row!.id],
    });
    return outcome;
  }

  /** The EHR's Communications for a recipient, read back over HTTP by a separate client. */
  async function chartOf(message: PatientMessage, system = MESSAGE_RECIPIENT_SYSTEM) {
    const reader = new Client({
      baseUrl: ehr.baseUrl,
      customHeaders: { authorization: `Bearer ${token}` },
    });
    const value = system === MESSAGE_RECIPIENT_SYSTEM ? message.recipientId : '';
    const bundle = (await reader.search({
      resourceType: 'Communication',
      searchParams: { identifier: value ? `${system}|${value}` : `${system}|` },
    })) as { entry?: { resource: Record<string, any> }[] };
    return (bundle.entry ?? []).map((entry) => entry.resource);
  }

  beforeAll(async () => {
    ehr = await startLoopbackFhirServer({ acceptsToken: (presented) => presented === token });
    test = await startFhirTestModule();
    sync = test.moduleRef.get(SyncCommunicationUseCase);
    const connection = await test.moduleRef
      .get(FhirConnectionsService)
      .create(
        test.organisationId,
        { name: 'EHR', baseUrl: ehr.baseUrl, authMode: 'bearer', bearerToken: token },
        ACTOR,
      );
    connectionId = connection.id;
    const found = await test.moduleRef
      .get(TestFhirConnectionUseCase)
      .execute(test.organisationId, connectionId);
    expect(found.capabilities?.writeMode).toBe('update');
  });

  afterAll(async () => {
    await test?.close();
    await ehr?.close();
  });

  it('writes one valid Communication that follows the message to completed', async () => {
    const message = await aPatientMessage(test, { metadata: { fhirBasedOn: 'Appointment/a-1' } });
    await anEvent(test, message, 'accepted');
    await anEvent(test, message, 'queued');
    expect(await syncNow(message)).toBe('synced');
    expect((await chartOf(message))[0].status).toBe('in-progress');

    await anEvent(test, message, 'delivered');
    await anEvent(test, message, 'opened');
    expect(await syncNow(message)).toBe('synced');

    const chart = await chartOf(message);
    expect(chart).toHaveLength(1);
    expect(fhirValidationErrors(chart[0])).toEqual([]);
    expect(chart[0]).toMatchObject({
      status: 'completed',
      category: [{ coding: [{ code: 'reminder' }] }],
      basedOn: [{ reference: 'Appointment/a-1' }],
      payload: [{ contentAttachment: { title: message.subject } }],
    });
    expect(chart[0].extension).toEqual([
      expect.objectContaining({
        url: ENGAGEMENT_EXTENSION,
        extension: expect.arrayContaining([{ url: 'type', valueCode: 'opened' }]),
      }),
    ]);
    expect(chart[0].payload[0].contentAttachment.data).toBeUndefined();
    // The second write knew the version: a versioned update of that resource.
    expect(ehr.requests).toContain(`PUT /Communication/${chart[0].id}`);
  });

  it('leaves one Communication in its final state when events repeat or come late', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await anEvent(test, message, 'clicked');
    await syncNow(message);

    await anEvent(test, message, 'clicked');
    await anEvent(test, message, 'queued');
    await anEvent(test, message, 'accepted');
    expect(await syncNow(message)).toBe('synced');
    expect(await syncNow(message)).toBe('not-due');

    const chart = await chartOf(message);
    expect(chart).toHaveLength(1);
    expect(chart[0].status).toBe('completed');
    expect((await syncOf(test, connectionId, message))?.status).toBe('synced');
  });

  it('charts a batch of recipients in one job, each in its own state', async () => {
    const messages = [await aPatientMessage(test), await aPatientMessage(test)];
    const unlinked = await aPatientMessage(test, { patient: null });
    await anEvent(test, messages[0], 'delivered');
    await anEvent(test, messages[1], 'bounced');
    await anEvent(test, unlinked, 'delivered');
    const ids = await Promise.all(
      [...messages, unlinked].map(
        async (message) => (await syncOf(test, connectionId, message))!.id,
      ),
    );

    const outcomes = await sync.execute({
      v: 1,
      organisationId: test.organisationId,
      syncIds: ids,
    });

    expect(outcomes).toEqual(['synced', 'synced', 'skipped']);
    expect((await chartOf(messages[0]))[0].status).toBe('completed');
    expect((await chartOf(messages[1]))[0].status).toBe('not-done');
    expect((await syncOf(test, connectionId, unlinked))?.status).toBe('skipped');
  });

  it('charts a bounce as not-done with its reason', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'queued');
    await anEvent(test, message, 'bounced');
    await syncNow(message);

    const [communication] = await chartOf(message);
    expect(fhirValidationErrors(communication)).toEqual([]);
    expect(communication).toMatchObject({
      status: 'not-done',
      statusReason: { coding: [{ code: 'bounced' }] },
    });
  });

  it('charts a portal reply as its own Communication in response to the message', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await anEvent(test, message, 'portal.replied');
    await syncNow(message);
    await anEvent(test, message, 'portal.viewed');
    await syncNow(message);

    const replies = (await chartOf(message, MESSAGE_REPLY_SYSTEM)).filter((resource) =>
      JSON.stringify(resource.inResponseTo).includes(message.recipientId),
    );
    expect(replies).toHaveLength(1);
    expect(fhirValidationErrors(replies[0])).toEqual([]);
    expect(replies[0].sender).toEqual((await chartOf(message))[0].subject);
  });

  it('does not chart a message to an address linked to no Patient', async () => {
    const message = await aPatientMessage(test, { patient: null });
    await anEvent(test, message, 'delivered');

    expect(await syncNow(message)).toBe('skipped');
    expect(await chartOf(message)).toEqual([]);
  });

  it('runs no sync row of another organisation', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    const row = await syncOf(test, connectionId, message);

    const [outcome] = await sync.execute({
      v: 1,
      organisationId: '00000000-0000-4000-8000-000000000000',
      syncIds: [row!.id],
    });

    expect(outcome).toBe('not-due');
    expect(await chartOf(message)).toEqual([]);
  });

  it('waits while the EHR is down and resumes: nothing lost, nothing duplicated', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await ehr.goDown();

    expect(await syncNow(message)).toBe('retrying');
    await anEvent(test, message, 'opened');
    expect(await syncNow(message)).toBe('retrying');
    const waiting = await syncOf(test, connectionId, message);
    expect(waiting).toMatchObject({ status: 'pending', last_error: 'unreachable' });
    expect(waiting!.next_attempt_at.getTime()).toBeGreaterThan(test.clock.now().getTime());
    expect(await syncNow(message)).toBe('not-due');

    await ehr.comeBack();
    test.clock.advance(15_000);
    expect(await syncNow(message)).toBe('synced');

    const chart = await chartOf(message);
    expect(chart).toHaveLength(1);
    expect(chart[0].status).toBe('completed');
    expect(chart[0].extension).toHaveLength(1);
  });

  it('marks the sync failed after the last retry, and a new event tries again', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await ehr.goDown();

    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= FHIR_MAX_ATTEMPTS; attempt += 1) {
      outcomes.push(await syncNow(message));
      test.clock.advance(4 * 60 * 60 * 1000);
    }
    await ehr.comeBack();

    expect(outcomes.at(-1)).toBe('failed');
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'retrying')).toBe(true);
    expect(await syncNow(message)).toBe('not-due');
    expect(await syncOf(test, connectionId, message)).toMatchObject({
      status: 'failed',
      attempts: FHIR_MAX_ATTEMPTS,
    });

    await anEvent(test, message, 'opened');
    expect(await syncNow(message)).toBe('synced');
    expect(await chartOf(message)).toHaveLength(1);
  });

  it('keeps the patient address and the subject out of every log line', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await ehr.goDown();
    await syncNow(message);
    await ehr.comeBack();

    const logged = test.logs.lines.join('\n');
    expect(logged).toContain('fhir sync will retry');
    expect(logged).not.toContain(message.address);
    expect(logged).not.toContain('Results for');
  });

  it('shows per connection health, waiting and failed syncs and the last error', async () => {
    const statuses = new FhirStatusService(test.dataSource);
    const failing = await aPatientMessage(test);
    await anEvent(test, failing, 'delivered');
    await ehr.goDown();
    for (let attempt = 1; attempt <= FHIR_MAX_ATTEMPTS; attempt += 1) {
      await syncNow(failing);
      test.clock.advance(4 * 60 * 60 * 1000);
    }
    await ehr.comeBack();

    const down = (await statuses.status(test.organisationId)).connections[0];
    expect(down).toMatchObject({
      id: connectionId,
      enabled: true,
      health: 'failing',
      lastError: 'unreachable',
      appointments: null,
    });
    expect(down.syncs.failed).toBeGreaterThanOrEqual(1);

    const healthy = await aPatientMessage(test);
    await anEvent(test, healthy, 'delivered');
    expect(await syncNow(healthy)).toBe('synced');
    const back = (await statuses.status(test.organisationId)).connections[0];
    expect(back.health).toBe('ok');
    expect(Date.now() - Date.parse(back.lastSyncedAt ?? '')).toBeLessThan(60_000);

    const elsewhere = await statuses.status('00000000-0000-4000-8000-000000000000');
    expect(elsewhere).toEqual({ connector: 'fhir', configured: false, connections: [] });
  });
});
