import { randomBytes } from 'node:crypto';
import {
  fhirValidationErrors,
  type LoopbackFhirServer,
  startLoopbackFhirServer,
} from '@sealpost/test-peers/fhir';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { TestFhirConnectionUseCase } from '../connections/test-fhir-connection.use-case';
import { MESSAGE_MILESTONE_SYSTEM, MESSAGE_RECIPIENT_SYSTEM } from '../fhir-naming';
import {
  aPatientMessage,
  anEvent,
  type FhirTestModule,
  type PatientMessage,
  startFhirTestModule,
  syncOf,
} from '../testing/fhir-test-kit';
import { SyncCommunicationUseCase } from './sync-communication.use-case';

const ACTOR = { type: 'system' as const, id: 'test' };

type Stored = Record<string, any>;

describe('charting messages in an EHR that only creates (real PostgreSQL, loopback server)', () => {
  let test: FhirTestModule;
  let ehr: LoopbackFhirServer;
  let sync: SyncCommunicationUseCase;
  let connectionId: string;
  const token = randomBytes(24).toString('base64url');

  async function syncNow(message: PatientMessage) {
    const row = await syncOf(test, connectionId, message);
    const [outcome] = await sync.execute({
      v: 1,
      organisationId: test.organisationId,
      syncIds: [row!.id],
    });
    return outcome;
  }

  async function chartOf(message: PatientMessage): Promise<Stored[]> {
    const all = (await ehr.communications()) as Stored[];
    return all.filter((resource) =>
      (resource.identifier as { system: string; value: string }[]).some(
        (identifier) =>
          identifier.system === MESSAGE_RECIPIENT_SYSTEM &&
          identifier.value === message.recipientId,
      ),
    );
  }

  const milestoneOf = (resource: Stored) =>
    (resource.identifier as { system: string; value: string }[])
      .find((identifier) => identifier.system === MESSAGE_MILESTONE_SYSTEM)!
      .value.split(':')[1];

  beforeAll(async () => {
    ehr = await startLoopbackFhirServer({
      mode: 'create-only',
      acceptsToken: (presented) => presented === token,
    });
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
    expect(found.capabilities).toMatchObject({
      writeMode: 'create-only',
      conditionalCreate: true,
      conditionalUpdate: false,
      communicationInteractions: ['read', 'search-type', 'create'],
    });
  });

  afterAll(async () => {
    await test?.close();
    await ehr?.close();
  });

  it('writes one valid Communication per milestone, never updating', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'queued');
    await syncNow(message);
    await anEvent(test, message, 'delivered');
    await anEvent(test, message, 'opened');
    await syncNow(message);

    const chart = await chartOf(message);
    expect(chart.map(milestoneOf).sort()).toEqual(['completed', 'in-progress', 'opened']);
    for (const resource of chart) {
      expect(fhirValidationErrors(resource)).toEqual([]);
    }
    expect(ehr.requests.filter((request) => request.startsWith('PUT'))).toEqual([]);
  });

  it('writes no duplicate when the same events come again or a write is retried', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    await syncNow(message);
    await anEvent(test, message, 'delivered');
    await syncNow(message);
    // As if the worker died after writing and before recording it: the next attempt sends
    // the same conditional creates again.
    await test.dataSource.query(
      `UPDATE fhir_syncs SET written_keys = '{}', status = 'pending' WHERE id = $1`,
      [(await syncOf(test, connectionId, message))!.id],
    );
    expect(await syncNow(message)).toBe('synced');

    expect((await chartOf(message)).map(milestoneOf).sort()).toEqual(['completed', 'in-progress']);
  });

  it('adds a not-done milestone for a bounce, with its reason', async () => {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'queued');
    await anEvent(test, message, 'bounced');
    await syncNow(message);

    const notDone = (await chartOf(message)).find(
      (resource) => milestoneOf(resource) === 'not-done',
    );
    expect(notDone).toMatchObject({
      status: 'not-done',
      statusReason: { coding: [{ code: 'bounced' }] },
    });
  });
});
