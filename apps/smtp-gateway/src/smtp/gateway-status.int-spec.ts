import { GatewayStatusService } from '@sealpost/messaging';
import { nodemailerClient } from '../testing/gateway-clients';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

describe('gateway status (real PostgreSQL, mail sent through the gateway)', () => {
  let gw: TestGateway;
  let statuses: GatewayStatusService;

  beforeAll(async () => {
    gw = await startTestGateway();
    statuses = new GatewayStatusService(gw.dataSource);
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('counts what the gateway took for one organisation only, and its ways in', async () => {
    const orgA = await gw.createOrganisation();
    const orgB = await gw.createOrganisation();
    const credential = await gw.access.createCredential(orgA, 'suite');
    await gw.access.addSenderRange(orgB, '192.0.2.0/24', []);
    const client = nodemailerClient({
      port: gw.port,
      caPem: gw.ca.certPem,
      auth: { user: credential.username, pass: credential.password },
    });
    for (const to of [['p1@example.test'], ['p2@example.test', 'p3@example.test']]) {
      await client.sendMail({ from: 'doctor@clinic-a.example', to, text: 'Please call.' });
    }
    client.close();

    const [a, b] = await Promise.all([statuses.status(orgA), statuses.status(orgB)]);

    expect(a).toMatchObject({
      configured: true,
      credentials: { active: 1, lastUsedAt: expect.any(String) },
      senderRanges: 0,
      recent: { hours: 24, messages: 2, copies: { pending: 3, delivered: 0, failed: 0 } },
    });
    expect(Date.now() - Date.parse(a.recent.lastAcceptedAt ?? '')).toBeLessThan(60_000);
    expect(b).toMatchObject({
      configured: true,
      credentials: { active: 0, lastUsedAt: null },
      senderRanges: 1,
      recent: { messages: 0, lastAcceptedAt: null, copies: { pending: 0 } },
    });
  });

  it('says an organisation without credential or range is not configured', async () => {
    const organisationId = await gw.createOrganisation();
    const revoked = await gw.access.createCredential(organisationId, 'old');
    await gw.access.revokeCredential(organisationId, revoked.id);

    expect(await statuses.status(organisationId)).toMatchObject({
      configured: false,
      credentials: { active: 0 },
    });
  });
});
