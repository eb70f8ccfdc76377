import { randomBytes } from 'node:crypto';
import { GatewayReceipts, GatewayReceiptsPruner } from '@sealpost/messaging';
import { nodemailerClient } from '../testing/gateway-clients';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

describe('gateway receipts: which Message-IDs the gateway took (real PostgreSQL)', () => {
  let gw: TestGateway;
  let receipts: GatewayReceipts;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    receipts = gw.app.get(GatewayReceipts);
    orgA = await gw.createOrganisation();
    orgB = await gw.createOrganisation();
  });

  afterAll(async () => {
    await gw?.close();
  });

  async function sendThroughGateway(organisationId: string, messageId: string) {
    const credential = await gw.access.createCredential(organisationId, 'suite');
    const client = nodemailerClient({
      port: gw.port,
      caPem: gw.ca.certPem,
      auth: { user: credential.username, pass: credential.password },
    });
    await client.sendMail({
      from: 'doctor@clinic.example',
      to: 'patient@example.test',
      messageId,
      text: 'Please call.',
    });
    client.close();
  }

  it('knows a Message-ID the gateway took, however its brackets are written', async () => {
    const id = `${randomBytes(8).toString('hex')}@mail.clinic.example`;
    await sendThroughGateway(orgA, `<${id}>`);

    const taken = await receipts.taken(orgA, [`<${id}>`, id, ` <${id}> `, `<other-${id}>`]);

    expect([...taken].sort()).toEqual([` <${id}> `, `<${id}>`, id].sort());
  });

  it('answers only for the organisation whose mail it was, and stores no Message-ID', async () => {
    const id = `<${randomBytes(8).toString('hex')}@mail.clinic.example>`;
    await sendThroughGateway(orgA, id);

    expect(await receipts.taken(orgB, [id])).toEqual(new Set());
    const rows = await gw.dataSource.query<{ origin_digest: Buffer }[]>(
      'SELECT origin_digest FROM gateway_receipts WHERE organisation_id = $1',
      [orgA],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.origin_digest.toString('latin1')).not.toContain('clinic.example');
    }
  });

  it('forgets receipts after 30 days, and only those', async () => {
    const organisationId = await gw.createOrganisation();
    for (const [id, daysAgo] of [
      ['<old@x.test>', 31],
      ['<recent@x.test>', 29],
    ] as const) {
      await gw.dataSource.query(
        `INSERT INTO gateway_receipts (organisation_id, origin_digest, message_id, received_at)
         VALUES ($1, $2, gen_random_uuid(), now() - make_interval(days => $3))`,
        [organisationId, receipts.digest(id), daysAgo],
      );
    }

    const deleted = await gw.app.get(GatewayReceiptsPruner).prune();

    expect(deleted).toBe(1);
    expect(await receipts.taken(organisationId, ['<old@x.test>', '<recent@x.test>'])).toEqual(
      new Set(['<recent@x.test>']),
    );
  });
});
