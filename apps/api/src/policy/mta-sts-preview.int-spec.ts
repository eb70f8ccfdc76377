import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import {
  generateOrganisationKey,
  MtaStsDnsPort,
  MtaStsHttpsPort,
  NodeMtaStsHttps,
} from '@sealpost/encryption';
import { DnsResolverPort, type MxRecord, type Route, RouteResolver } from '@sealpost/messaging';
import {
  createTestCa,
  issueCertificate,
  issueEmailCertificate,
  SmtpSink,
  type TestCa,
} from '@sealpost/test-peers';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

// The MTA-STS row of the decision matrix (e2e/src/decision-matrix.e2e-spec.ts has the others).
// MTA-STS applies to MX routes only, which the running stack's transport map bypasses, so
// this runs the real api with its three ports to the outside world pointed at loopback:
// the MX lookup answers `localhost`, whose port 25 is a real STARTTLS server here; the TXT
// lookup answers from a table; the policy is fetched over real HTTPS from a loopback server.
// Everything else (probe, resolver, planner, directory, database) is what production runs.

const run = randomBytes(3).toString('hex');
const ENFORCE_UNLISTED = `enforce-unlisted-${run}.test`;
const TESTING_UNLISTED = `testing-unlisted-${run}.test`;
const EXCLUSIVE_UNLISTED = `exclusive-unlisted-${run}.test`;
const MX = 'localhost';

const POLICIES: Record<string, { mode: string; mx: string }> = {
  [ENFORCE_UNLISTED]: { mode: 'enforce', mx: 'mx.elsewhere.test' },
  [TESTING_UNLISTED]: { mode: 'testing', mx: 'mx.elsewhere.test' },
  [EXCLUSIVE_UNLISTED]: { mode: 'enforce', mx: 'mx.elsewhere.test' },
};

const VERIFIED = `${MX} offers TLSv1.3 with a verified certificate`;
const UNLISTED = `MTA-STS enforce: ${MX} not listed`;
const SKIPPED = ['no PGP key', 'no S/MIME certificate'];

/** Every test domain has one MX, `localhost`, as DNS would answer. */
class LocalhostMx extends DnsResolverPort {
  resolveMx(): Promise<MxRecord[]> {
    return Promise.resolve([{ exchange: MX, priority: 10 }]);
  }
}

/** `_mta-sts.<domain>` TXT records of the test domains; other names have none. */
class PolicyTxt extends MtaStsDnsPort {
  resolveTxt(name: string): Promise<string[][]> {
    const domain = name.replace(/^_mta-sts\./, '');
    return Promise.resolve(POLICIES[domain] ? [['v=STSv1; id=', `${run};`]] : []);
  }
}

/** The real HTTPS fetch, reaching `mta-sts.<domain>` at the loopback policy server. */
class LoopbackMtaStsHttps extends NodeMtaStsHttps {
  constructor(
    private readonly port: number,
    caPem: string,
  ) {
    super({ extraCaPem: [caPem], timeoutMs: 5_000 });
  }

  protected override endpoint(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }
}

/** The real resolver, with port 25 of the MX moved to the loopback server's port. */
class LoopbackPort25 extends RouteResolver {
  constructor(
    config: SealpostConfig,
    dns: DnsResolverPort,
    private readonly port: number,
  ) {
    super(config, dns);
  }

  override async resolve(domain: string): Promise<Route> {
    const route = await super.resolve(domain);
    return {
      ...route,
      hops: route.hops.map((hop) => (hop.port === 25 ? { ...hop, port: this.port } : hop)),
    };
  }
}

function startPolicyServer(ca: TestCa): Promise<Server> {
  const names = Object.keys(POLICIES).map((domain) => `mta-sts.${domain}`);
  const tls = issueCertificate(ca, { commonName: names[0], dnsNames: names });
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (request, response) => {
    const policy = POLICIES[(request.headers.host ?? '').replace(/^mta-sts\./, '')];
    if (!policy || request.url !== '/.well-known/mta-sts.txt') {
      response.writeHead(404).end();
      return;
    }
    const lines = ['version: STSv1', `mode: ${policy.mode}`, `mx: ${policy.mx}`, 'max_age: 86400'];
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(lines.map((line) => `${line}\r\n`).join(''));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('policy preview with MTA-STS (real api, DNS and port 25 pointed at loopback)', () => {
  let ca: TestCa;
  let caDir: string;
  let mxServer: SmtpSink;
  let policyServer: Server;
  let api: TestApi;
  let tenant: Tenant;

  beforeAll(async () => {
    ca = createTestCa();
    caDir = mkdtempSync(join(tmpdir(), 'sealpost-mta-sts-'));
    writeFileSync(join(caDir, 'ca.pem'), ca.certPem);
    mxServer = await SmtpSink.start({
      tls: issueCertificate(ca, { commonName: MX, dnsNames: [MX], ipAddresses: ['127.0.0.1'] }),
    });
    policyServer = await startPolicyServer(ca);
    const policyPort = (policyServer.address() as AddressInfo).port;

    api = await startTestApi({ SEALPOST_TLS_CA_FILE: join(caDir, 'ca.pem') }, (module) =>
      module
        .overrideProvider(DnsResolverPort)
        .useClass(LocalhostMx)
        .overrideProvider(MtaStsDnsPort)
        .useClass(PolicyTxt)
        .overrideProvider(MtaStsHttpsPort)
        .useValue(new LoopbackMtaStsHttps(policyPort, ca.certPem))
        .overrideProvider(RouteResolver)
        .useFactory({
          factory: (config: SealpostConfig, dns: DnsResolverPort) =>
            new LoopbackPort25(config, dns, mxServer.port),
          inject: [SEALPOST_CONFIG, DnsResolverPort],
        }),
    );
    tenant = await createTenant(api, ['messages:send', 'keys:manage', 'policy:manage']);

    for (const domain of [ENFORCE_UNLISTED, EXCLUSIVE_UNLISTED]) {
      await upload(tenant, `key@${domain}`, `certificate@${domain}`);
    }
    const current = await call<any>(api, 'GET', '/v1/policy', { token: tenant.token });
    const stored = await call(api, 'PUT', '/v1/policy', {
      token: tenant.token,
      body: {
        ...current.body,
        domainOverrides: [{ domain: EXCLUSIVE_UNLISTED, action: 'tls-exclusive' }],
      },
    });
    expect(stored.status).toBe(200);
  });

  afterAll(async () => {
    await api?.close();
    await mxServer?.close();
    await new Promise((resolve) => policyServer?.close(resolve));
    rmSync(caDir, { recursive: true, force: true });
  });

  async function upload(owner: Tenant, pgpAddress: string, smimeAddress: string) {
    const key = await generateOrganisationKey('Patient', pgpAddress, 'curve25519-legacy');
    const uploads = [
      await call(api, 'POST', '/v1/keys/pgp', {
        token: owner.token,
        body: { address: pgpAddress, armoredKey: key.publicArmored },
      }),
      await call(api, 'POST', '/v1/certificates/smime', {
        token: owner.token,
        body: {
          address: smimeAddress,
          certificate: issueEmailCertificate(ca, smimeAddress).certPem,
        },
      }),
    ];
    expect(uploads.map((reply) => reply.status)).toEqual([201, 201]);
  }

  async function preview(owner: Tenant, recipient: string) {
    const reply = await call<any>(api, 'POST', '/v1/policy/preview', {
      token: owner.token,
      body: { from: 'clinic@sender.test', recipients: [recipient], subject: 'Results' },
    });
    expect(reply.status).toBe(200);
    const { method, action, reasons } = reply.body.recipients[0];
    return { method, action, reasons };
  }

  it.each([
    ['a key known', `key@${ENFORCE_UNLISTED}`, 'pgp', 'send', ['PGP key known']],
    [
      'a certificate known',
      `certificate@${ENFORCE_UNLISTED}`,
      'smime',
      'send',
      ['no PGP key', 'S/MIME certificate known'],
    ],
    [
      'neither known',
      `neither@${ENFORCE_UNLISTED}`,
      'portal',
      'send',
      [...SKIPPED, VERIFIED, UNLISTED, 'secure portal'],
    ],
  ])(
    'MTA-STS enforce not listing the MX, %s',
    async (_known, recipient, method, action, reasons) => {
      expect(await preview(tenant, recipient)).toEqual({ method, action, reasons });
    },
  );

  // The same unlisted MX, with TLS used: only enforce mode refuses it. (No row lists the MX:
  // a policy naming the single-label `localhost` is refused as malformed.)
  it('only notes an unlisted MX when the policy is in testing mode', async () => {
    expect(await preview(tenant, `neither@${TESTING_UNLISTED}`)).toEqual({
      method: 'tls',
      action: 'send',
      reasons: [...SKIPPED, VERIFIED, `MTA-STS testing: ${MX} not listed`],
    });
  });

  it.each([`key@${EXCLUSIVE_UNLISTED}`, `neither@${EXCLUSIVE_UNLISTED}`])(
    'drops %s under tls-exclusive when MTA-STS refuses the MX',
    async (recipient) => {
      expect(await preview(tenant, recipient)).toEqual({
        method: 'none',
        action: 'drop',
        reasons: ['domain override: TLS exclusive', VERIFIED, UNLISTED],
      });
    },
  );

  it("ignores another organisation's keys and overrides", async () => {
    const other = await createTenant(api, ['messages:send']);

    expect(await preview(other, `key@${ENFORCE_UNLISTED}`)).toMatchObject({ method: 'portal' });
    expect(await preview(other, `key@${EXCLUSIVE_UNLISTED}`)).toMatchObject({ method: 'portal' });
  });
});
