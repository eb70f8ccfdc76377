import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CreatedGatewayCredential } from '@sealpost/messaging';
import { nodemailerClient, smtpDialogue, swaks } from '../testing/gateway-clients';
import { AUTH_MAX_FAILURES } from './auth-throttle';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

const token = () => randomBytes(5).toString('hex');

describe('SMTP gateway: who may send (real PostgreSQL, nodemailer, swaks)', () => {
  let gw: TestGateway;
  let orgA: string;
  let orgB: string;
  let credentialA: CreatedGatewayCredential;

  beforeAll(async () => {
    gw = await startTestGateway();
    orgA = await gw.createOrganisation();
    orgB = await gw.createOrganisation();
    credentialA = await gw.access.createCredential(orgA, 'suite');
  });

  afterAll(async () => {
    await gw?.close();
  });

  const authA = () => ({ user: credentialA.username, pass: credentialA.password });

  async function storedCount(organisationId: string): Promise<number> {
    const [row] = await gw.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM messages WHERE organisation_id = $1',
      [organisationId],
    );
    return Number(row.count);
  }

  it('offers STARTTLS and refuses AUTH in clear with 538', async () => {
    const replies = await smtpDialogue(gw.port, ['EHLO client.test', 'AUTH PLAIN AGFiAGM=']);

    expect(replies[1]).toMatch(/STARTTLS/);
    expect(replies[2]).toMatch(/^538 /);
  });

  it('accepts a message with valid credentials over STARTTLS (nodemailer)', async () => {
    const before = await storedCount(orgA);

    const info = await nodemailerClient({
      port: gw.port,
      caPem: gw.ca.certPem,
      auth: authA(),
    }).sendMail({
      from: 'doctor@clinic-a.example',
      to: 'patient@example.test',
      subject: 'Results',
      text: 'Please call us.',
    });

    expect(info.response).toMatch(/^250 2\.6\.0 Message accepted as [0-9a-f-]{36}$/);
    expect(await storedCount(orgA)).toBe(before + 1);
  });

  it('accepts the same with swaks (STARTTLS, AUTH LOGIN)', async () => {
    const result = await swaks(gw.port, [
      '--tls',
      '--tls-ca-path',
      caFile(gw),
      '--auth',
      'LOGIN',
      '--auth-user',
      credentialA.username,
      '--auth-password',
      credentialA.password,
      '--from',
      'doctor@clinic-a.example',
      '--to',
      'patient@example.test',
    ]);

    expect(result.transcript).toMatch(/<~\s+250 2\.6\.0 Message accepted as/);
    expect(result.exitCode).toBe(0);
  });

  it('refuses a wrong password and a revoked credential with 535', async () => {
    const revoked = await gw.access.createCredential(orgA, 'old');
    await gw.access.revokeCredential(orgA, revoked.id);

    for (const auth of [
      { user: credentialA.username, pass: 'not-the-password' },
      { user: revoked.username, pass: revoked.password },
    ]) {
      const sending = nodemailerClient({ port: gw.port, caPem: gw.ca.certPem, auth }).sendMail({
        from: 'doctor@clinic-a.example',
        to: 'patient@example.test',
        text: 'x',
      });
      await expect(sending).rejects.toMatchObject({ responseCode: 535 });
    }
  });

  it('closes with 421 on a host past its failed AUTH limit, and only on that host', async () => {
    const from = (localAddress: string, pass: string) =>
      nodemailerClient({
        port: gw.port,
        caPem: gw.ca.certPem,
        auth: { user: credentialA.username, pass },
        localAddress,
      }).sendMail({ from: 'doctor@clinic-a.example', to: 'patient@example.test', text: 'x' });
    for (let attempt = 0; attempt < AUTH_MAX_FAILURES; attempt += 1) {
      await expect(from('127.0.0.2', 'guess')).rejects.toMatchObject({ responseCode: 535 });
    }

    await expect(from('127.0.0.2', credentialA.password)).rejects.toMatchObject({
      responseCode: 421,
      response: expect.stringMatching(/^421 4\.7\.0 Too many failed authentications/),
    });
    await expect(from('127.0.0.3', credentialA.password)).resolves.toMatchObject({
      response: expect.stringMatching(/^250 /),
    });
  });

  it('asks an unknown host for AUTH (530) and never relays for it (swaks)', async () => {
    const result = await swaks(gw.port, [
      '--tls',
      '--tls-ca-path',
      caFile(gw),
      '--from',
      'someone@elsewhere.example',
      '--to',
      'victim@example.test',
    ]);

    expect(result.transcript).toMatch(/<[~*]\*\s+530 5\.7\.0 Authentication required/);
    expect(result.exitCode).not.toBe(0);
  });

  it('refuses relaying for the null sender of an unknown host with 554 at RCPT', async () => {
    const replies = await smtpDialogue(gw.port, [
      'EHLO client.test',
      'MAIL FROM:<>',
      'RCPT TO:<victim@example.test>',
    ]);

    expect(replies[2]).toMatch(/^250 /);
    expect(replies[3]).toMatch(/^554 5\.7\.1 Relaying denied/);
  });

  it('requires TLS before MAIL FROM for a configured range', async () => {
    const range = await gw.access.addSenderRange(orgB, '127.0.0.1/32', ['clinic-b.example']);
    try {
      const replies = await smtpDialogue(gw.port, [
        'EHLO client.test',
        'MAIL FROM:<doctor@clinic-b.example>',
      ]);

      expect(replies[2]).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first/);
    } finally {
      await gw.access.removeSenderRange(orgB, range.id);
    }
  });

  it('takes mail from a configured range only for its sender domains', async () => {
    const range = await gw.access.addSenderRange(orgB, '127.0.0.0/8', ['clinic-b.example']);
    const client = nodemailerClient({ port: gw.port, caPem: gw.ca.certPem });
    const before = await storedCount(orgB);
    try {
      const info = await client.sendMail({
        from: 'nurse@clinic-b.example',
        to: 'patient@example.test',
        text: 'From the range',
      });
      const foreign = client.sendMail({
        from: 'nurse@clinic-a.example',
        to: 'patient@example.test',
        text: 'Not from B',
      });

      expect(info.response).toMatch(/^250 /);
      await expect(foreign).rejects.toMatchObject({ responseCode: 550 });
      expect(await storedCount(orgB)).toBe(before + 1);
    } finally {
      await gw.access.removeSenderRange(orgB, range.id);
    }
  });

  it("stores org A's authenticated mail under A, even from B's range (org isolation)", async () => {
    const range = await gw.access.addSenderRange(orgB, '127.0.0.1/32');
    const [beforeA, beforeB] = [await storedCount(orgA), await storedCount(orgB)];
    try {
      const info = await nodemailerClient({
        port: gw.port,
        caPem: gw.ca.certPem,
        auth: authA(),
      }).sendMail({ from: 'admin@clinic-b.example', to: 'patient@example.test', text: token() });
      const id = /accepted as (\S+)/.exec(info.response ?? '')?.[1];

      const [row] = await gw.dataSource.query<{ organisation_id: string }[]>(
        'SELECT organisation_id FROM messages WHERE id = $1',
        [id],
      );
      expect(row.organisation_id).toBe(orgA);
      expect([await storedCount(orgA), await storedCount(orgB)]).toEqual([beforeA + 1, beforeB]);
    } finally {
      await gw.access.removeSenderRange(orgB, range.id);
    }
  });

  it('refuses a host in two organisations ranges that cannot be told apart (550)', async () => {
    const ranges = [
      await gw.access.addSenderRange(orgA, '127.0.0.1/32'),
      await gw.access.addSenderRange(orgB, '127.0.0.0/24'),
    ];
    try {
      const sending = nodemailerClient({ port: gw.port, caPem: gw.ca.certPem }).sendMail({
        from: 'x@shared.example',
        to: 'patient@example.test',
        text: 'ambiguous',
      });

      await expect(sending).rejects.toMatchObject({
        responseCode: 550,
        response: expect.stringMatching(/several organisations/),
      });
    } finally {
      await gw.access.removeSenderRange(orgA, ranges[0].id);
      await gw.access.removeSenderRange(orgB, ranges[1].id);
    }
  });
});

function caFile(gw: TestGateway): string {
  const path = join(tmpdir(), `sealpost-gateway-ca-${process.pid}.pem`);
  writeFileSync(path, gw.ca.certPem);
  return path;
}
