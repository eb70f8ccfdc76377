import { randomBytes, randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import { type LoopbackFhirServer, startLoopbackFhirServer } from '@sealpost/test-peers/fhir';
import { type FhirConnectionView, type FhirSyncView } from '@sealpost/fhir';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

/** The FHIR admin API on the real app: connections, keys and JWKS, sync status and replay. */
describe('FHIR connector API (real PostgreSQL, loopback FHIR servers)', () => {
  let api: TestApi;
  let orgA: Tenant;
  let orgB: Tenant;
  let updating: LoopbackFhirServer;
  let createOnly: LoopbackFhirServer;
  const bearerToken = `ehr-token-${randomBytes(12).toString('hex')}`;

  const aConnection = (tenant: Tenant, body: Record<string, unknown> = {}) =>
    call<FhirConnectionView>(api, 'POST', '/v1/fhir/connections', {
      token: tenant.token,
      body: {
        name: 'Main EHR',
        baseUrl: updating.baseUrl,
        authMode: 'bearer',
        bearerToken,
        ...body,
      },
    });

  const auditActions = async (organisationId: string) =>
    (
      await api.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_records WHERE organisation_id = $1 AND action LIKE 'fhir%'
          ORDER BY sequence`,
        [organisationId],
      )
    ).map((row) => row.action);

  beforeAll(async () => {
    updating = await startLoopbackFhirServer();
    createOnly = await startLoopbackFhirServer({ mode: 'create-only' });
    api = await startTestApi();
    orgA = await createTenant(api, ['fhir:manage', 'messages:read']);
    orgB = await createTenant(api, ['fhir:manage', 'messages:read']);
  });

  afterAll(async () => {
    await api?.close();
    await updating?.close();
    await createOnly?.close();
  });

  it('creates a connection, never shows its token again and keeps it sealed', async () => {
    const created = await aConnection(orgA, { eventTypes: ['message.delivered', 'portal.*'] });
    const listed = await call(api, 'GET', '/v1/fhir/connections', { token: orgA.token });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      authMode: 'bearer',
      hasBearerToken: true,
      includeContent: false,
      eventTypes: ['message.delivered', 'portal.*'],
    });
    expect(created.text + listed.text).not.toContain(bearerToken);
    const [row] = await api.dataSource.query<{ token_ciphertext: Buffer }[]>(
      `SELECT token_ciphertext FROM fhir_connections WHERE id = $1`,
      [created.body.id],
    );
    expect(row.token_ciphertext.toString('latin1')).not.toContain(bearerToken);
    expect(await auditActions(orgA.organisationId)).toContain('fhir_connection.created');
  });

  it('refuses bad settings with a code and a sentence', async () => {
    const badUrl = await aConnection(orgA, { baseUrl: 'not a url' });
    const noClient = await aConnection(orgA, { authMode: 'smart-backend' });
    const badEvent = await aConnection(orgA, { eventTypes: ['message.teleported'] });

    expect([badUrl.status, noClient.status, badEvent.status]).toEqual([422, 422, 422]);
    expect((badUrl.body as unknown as ErrorBody).code).toBe('invalid_value');
    expect((noClient.body as unknown as ErrorBody).message).toContain('clientId');
  });

  it('reports what each server supports from its /metadata', async () => {
    const { body: a } = await aConnection(orgA);
    const { body: b } = await aConnection(orgA, { baseUrl: createOnly.baseUrl });

    const first = await call<Record<string, any>>(
      api,
      'POST',
      `/v1/fhir/connections/${a.id}/test`,
      { token: orgA.token },
    );
    const second = await call<Record<string, any>>(
      api,
      'POST',
      `/v1/fhir/connections/${b.id}/test`,
      { token: orgA.token },
    );

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      reachable: true,
      auth: 'ok',
      capabilities: {
        fhirVersion: '4.0.1',
        conditionalUpdate: true,
        conditionalCreate: true,
        ifMatch: true,
        writeMode: 'update',
        communicationInteractions: ['read', 'vread', 'search-type', 'create', 'update'],
      },
    });
    expect(second.body.capabilities).toMatchObject({ writeMode: 'create-only', ifMatch: false });
    const stored = await call<FhirConnectionView>(api, 'GET', `/v1/fhir/connections/${a.id}`, {
      token: orgA.token,
    });
    expect(stored.body.capabilities?.writeMode).toBe('update');
  });

  it('updates and removes a connection, audited', async () => {
    const { body: created } = await aConnection(orgA);

    const updated = await call<FhirConnectionView>(
      api,
      'PATCH',
      `/v1/fhir/connections/${created.id}`,
      { token: orgA.token, body: { includeContent: true, enabled: false } },
    );
    const removed = await call(api, 'DELETE', `/v1/fhir/connections/${created.id}`, {
      token: orgA.token,
    });

    expect(updated.body).toMatchObject({ includeContent: true, enabled: false });
    expect(removed.status).toBe(204);
    expect(await auditActions(orgA.organisationId)).toEqual(
      expect.arrayContaining(['fhir_connection.updated', 'fhir_connection.removed']),
    );
  });

  it('publishes the JWKS without a credential, public keys only, across a rotation', async () => {
    await aConnection(orgA, { authMode: 'smart-backend', clientId: 'sealpost-a' });
    const jwks = async (organisationId: string) => {
      const response = await call(api, 'GET', `/fhir/jwks/${organisationId}`);
      expect(response.status).toBe(200);
      return (JSON.parse(response.text) as { keys: Record<string, string>[] }).keys;
    };
    const [first] = await jwks(orgA.organisationId);

    const added = await call<{ kid: string }>(api, 'POST', '/v1/fhir/keys', {
      token: orgA.token,
      body: { algorithm: 'RS384' },
    });
    expect((await jwks(orgA.organisationId)).map((key) => key.kid)).toEqual([
      added.body.kid,
      first.kid,
    ]);
    const removed = await call(api, 'DELETE', `/v1/fhir/keys/${first.kid}`, {
      token: orgA.token,
    });

    expect(removed.status).toBe(204);
    const keys = await jwks(orgA.organisationId);
    expect(keys.map((key) => key.kid)).toEqual([added.body.kid]);
    expect(keys.every((key) => key.d === undefined && key.p === undefined)).toBe(true);
    expect(await jwks(orgB.organisationId)).toEqual([]);
    expect(await auditActions(orgA.organisationId)).toEqual(
      expect.arrayContaining(['fhir_signing_key.created', 'fhir_signing_key.removed']),
    );
  });

  it('shows a message’s EHR sync, lists failures and replays one, audited', async () => {
    const { body: connection } = await aConnection(orgA);
    const messageId = await aLinkedMessageWithEvent(orgA.organisationId);
    await api.dataSource.query(
      `UPDATE fhir_syncs SET status = 'failed', attempts = 8, last_error = 'unreachable'
        WHERE connection_id = $1`,
      [connection.id],
    );

    const status = await call<{ data: FhirSyncView[] }>(
      api,
      'GET',
      `/v1/fhir/messages/${messageId}/sync`,
      { token: orgA.token },
    );
    const failed = await call<{ data: FhirSyncView[] }>(api, 'GET', '/v1/fhir/syncs/failed', {
      token: orgA.token,
    });
    // Earlier tests' connections chart the message too; this one's row is the failed one.
    const sync = status.body.data.find((row) => row.connectionId === connection.id)!;
    const replayed = await call<FhirSyncView>(api, 'POST', `/v1/fhir/syncs/${sync.id}/replay`, {
      token: orgA.token,
    });
    const again = await call<ErrorBody>(api, 'POST', `/v1/fhir/syncs/${sync.id}/replay`, {
      token: orgA.token,
    });

    expect(sync).toMatchObject({ connectionId: connection.id, status: 'failed' });
    expect(failed.body.data.map((row) => row.id)).toContain(sync.id);
    expect(replayed.body).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: 'unreachable',
    });
    expect(again.status).toBe(409);
    expect(await auditActions(orgA.organisationId)).toContain('fhir_sync.replayed');
  });

  it('answers not found to another organisation: connections, messages, syncs', async () => {
    const { body: connection } = await aConnection(orgA);
    const messageId = await aLinkedMessageWithEvent(orgA.organisationId);
    const [sync] = await api.dataSource.query<{ id: string }[]>(
      `SELECT id::text AS id FROM fhir_syncs WHERE connection_id = $1`,
      [connection.id],
    );
    await api.dataSource.query(`UPDATE fhir_syncs SET status = 'failed' WHERE id = $1`, [sync.id]);

    const answers = await Promise.all([
      call(api, 'GET', `/v1/fhir/connections/${connection.id}`, { token: orgB.token }),
      call(api, 'PATCH', `/v1/fhir/connections/${connection.id}`, {
        token: orgB.token,
        body: { enabled: false },
      }),
      call(api, 'POST', `/v1/fhir/connections/${connection.id}/test`, { token: orgB.token }),
      call(api, 'DELETE', `/v1/fhir/connections/${connection.id}`, { token: orgB.token }),
      call(api, 'GET', `/v1/fhir/messages/${messageId}/sync`, { token: orgB.token }),
      call(api, 'POST', `/v1/fhir/syncs/${sync.id}/replay`, { token: orgB.token }),
    ]);
    const failedOfB = await call<{ data: FhirSyncView[] }>(api, 'GET', '/v1/fhir/syncs/failed', {
      token: orgB.token,
    });

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect(failedOfB.body.data.map((row) => row.id)).not.toContain(sync.id);
  });

  it('needs the fhir:manage scope', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const response = await call<ErrorBody>(api, 'GET', '/v1/fhir/connections', {
      token: reader.token,
    });

    expect(response.status).toBe(403);
    expect(response.body.code).toBe('insufficient_scope');
  });

  /** Stored as the delivery pipeline stores it; the event's trigger creates the sync rows. */
  async function aLinkedMessageWithEvent(organisationId: string): Promise<string> {
    const messageId = randomUUID();
    const recipientId = randomUUID();
    const address = `p.${randomBytes(4).toString('hex')}@patients.example`;
    await api.dataSource.query(
      `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
         content_wrapped_key, content_key_id, size_bytes)
       VALUES ($1, $2, 'clinic@example.org', '\\x00', '\\x00', 'mk_test', 1)`,
      [messageId, organisationId],
    );
    await api.dataSource.query(
      `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
         status) VALUES ($1, $2, $3, 'to', $4, 'patients.example', 'sent')`,
      [recipientId, organisationId, messageId, address],
    );
    await api.dataSource.query(
      `INSERT INTO contacts (id, organisation_id, email, email_normalised, ehr_patient_ref)
       VALUES ($1, $2, $3, $3, 'Patient/p-9')`,
      [randomUUID(), organisationId, address],
    );
    await api.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
       VALUES ($1, $2, $3, 'delivered')`,
      [organisationId, messageId, recipientId],
    );
    return messageId;
  }
});
