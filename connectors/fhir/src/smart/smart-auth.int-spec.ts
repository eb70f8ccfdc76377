import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { OrganisationsService } from '@sealpost/core';
import {
  type LoopbackFhirServer,
  type SmartAuthServer,
  startLoopbackFhirServer,
  startSmartAuthServer,
} from '@sealpost/test-peers/fhir';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { TestFhirConnectionUseCase } from '../connections/test-fhir-connection.use-case';
import { SyncCommunicationUseCase } from '../sync/sync-communication.use-case';
import {
  aPatientMessage,
  anEvent,
  type FhirTestModule,
  startFhirTestModule,
  syncOf,
} from '../testing/fhir-test-kit';
import { signClientAssertion } from './client-assertion';
import { FhirSigningKeysService, KEY_PUBLISH_LEAD_MS } from './fhir-signing-keys.service';

const ACTOR = { type: 'system' as const, id: 'test' };
const CLIENT_ID = 'sealpost-clinic-a';
// Registered with the same JWKS URL but first used after the rotation: an EHR whose cached
// copy of the JWKS has expired (oidc-provider keeps one for at least a minute).
const REFRESHED_CLIENT_ID = 'sealpost-clinic-a-refreshed';

/**
 * SMART Backend Services against oidc-provider on loopback. The auth server knows Sealpost's
 * keys only through the JWKS URL, as an EHR registration does; the FHIR server accepts a
 * bearer only if the auth server's introspection calls it active.
 */
describe('SMART backend auth (oidc-provider and a FHIR server on loopback)', () => {
  let test: FhirTestModule;
  let keys: FhirSigningKeysService;
  let jwksServer: Server;
  let auth: SmartAuthServer;
  let ehr: LoopbackFhirServer;

  async function aSmartConnection(
    organisationId = test.organisationId,
    clientId = CLIENT_ID,
  ): Promise<string> {
    const connection = await test.moduleRef
      .get(FhirConnectionsService)
      .create(
        organisationId,
        { name: 'EHR', baseUrl: ehr.baseUrl, authMode: 'smart-backend', clientId },
        ACTOR,
      );
    return connection.id;
  }

  async function chartedThrough(connectionId: string): Promise<string> {
    const message = await aPatientMessage(test);
    await anEvent(test, message, 'delivered');
    const row = await syncOf(test, connectionId, message);
    const [outcome] = await test.moduleRef
      .get(SyncCommunicationUseCase)
      .execute({ v: 1, organisationId: test.organisationId, syncIds: [row!.id] });
    return outcome;
  }

  beforeAll(async () => {
    test = await startFhirTestModule();
    keys = test.moduleRef.get(FhirSigningKeysService);
    await keys.add(test.organisationId, 'RS384', ACTOR);
    jwksServer = createServer((_request, response) => {
      keys.jwks(test.organisationId).then(
        (jwks) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    auth = await startSmartAuthServer({
      clients: [CLIENT_ID, REFRESHED_CLIENT_ID].map((clientId) => ({
        clientId,
        jwksUri: `http://127.0.0.1:${port}/jwks`,
      })),
      tokenTtlSeconds: 300,
    });
    ehr = await startLoopbackFhirServer({
      tokenEndpoint: auth.tokenEndpoint,
      acceptsToken: (token) => auth.isActive(token),
    });
  });

  afterAll(async () => {
    await test?.close();
    await ehr?.close();
    await auth?.close();
    jwksServer?.closeAllConnections();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('signs assertions the SMART way: iss = sub = client id, aud = token URL', async () => {
    const key = (await keys.signingKey(test.organisationId))!;
    const now = test.clock.now();

    const first = await signClientAssertion(key, CLIENT_ID, auth.tokenEndpoint, now);
    const second = await signClientAssertion(key, CLIENT_ID, auth.tokenEndpoint, now);

    expect(decodeProtectedHeader(first)).toEqual({ alg: 'RS384', kid: key.kid, typ: 'JWT' });
    const claims = decodeJwt(first);
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: auth.tokenEndpoint });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    expect(claims.jti).not.toEqual(decodeJwt(second).jti);
  });

  it('gets a token the EHR accepts, and reuses it until shortly before it expires', async () => {
    const connectionId = await aSmartConnection();
    const before = (await auth.stats()).tokensIssued;

    expect(await chartedThrough(connectionId)).toBe('synced');
    expect(await chartedThrough(connectionId)).toBe('synced');
    expect((await auth.stats()).tokensIssued).toBe(before + 1);

    test.clock.advance(250_000);
    expect(await chartedThrough(connectionId)).toBe('synced');
    expect((await auth.stats()).tokensIssued).toBe(before + 2);
  });

  it('is refused when signing with a key the EHR was not given', async () => {
    const other = await test.moduleRef.get(OrganisationsService).create('another-clinic');
    const connectionId = await aSmartConnection(other.id);

    const report = await test.moduleRef
      .get(TestFhirConnectionUseCase)
      .execute(other.id, connectionId);

    expect(report).toMatchObject({ reachable: true, auth: 'auth_refused' });
    expect((await auth.stats()).assertionsRefused).toBeGreaterThan(0);
  });

  it('rotates without an outage: the new key signs once EHRs can have seen it', async () => {
    const old = (await keys.signingKey(test.organisationId))!;
    const added = await keys.add(test.organisationId, 'ES384', ACTOR);

    // Published, not signing yet: an EHR holding the JWKS from before still accepts us.
    expect((await keys.signingKey(test.organisationId))?.kid).toBe(old.kid);
    expect(await chartedThrough(await aSmartConnection())).toBe('synced');
    expect((await keys.jwks(test.organisationId)).keys).toHaveLength(2);

    test.clock.advance(KEY_PUBLISH_LEAD_MS + 1000);
    expect(await keys.signingKey(test.organisationId)).toMatchObject({
      kid: added.kid,
      algorithm: 'ES384',
    });
    const refreshed = await aSmartConnection(test.organisationId, REFRESHED_CLIENT_ID);
    expect(await chartedThrough(refreshed)).toBe('synced');

    await keys.remove(test.organisationId, old.kid, ACTOR);
    expect((await keys.jwks(test.organisationId)).keys.map((jwk) => jwk.kid)).toEqual([added.kid]);
    expect(
      await chartedThrough(await aSmartConnection(test.organisationId, REFRESHED_CLIENT_ID)),
    ).toBe('synced');
  });

  it('publishes public keys only', async () => {
    const { keys: published } = await keys.jwks(test.organisationId);

    for (const jwk of published) {
      expect(Object.keys(jwk).sort()).toEqual(
        jwk.kty === 'EC'
          ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']
          : ['alg', 'e', 'kid', 'kty', 'n', 'use'],
      );
    }
  });
});
