import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { createTestCa, issueCertificate, type TestCa } from '@sealpost/test-peers';
import { MtaStsDnsPort } from './mta-sts-dns.port';
import { NodeMtaStsHttps } from './mta-sts-https.port';
import { MtaStsResolverService } from './mta-sts-resolver.service';
import { assessTls } from './tls-assessment';
import { type TlsProbeResult } from './tls-probe-result';
import { FakeClock } from './testing/fake-clock';

const DOMAIN = 'example.test';
const POLICY_HOST = `mta-sts.${DOMAIN}`;
const DAY_S = 86_400;

interface Served {
  status: number;
  contentType: string;
  body: string;
  location?: string;
}

/** TXT answers from a table; an entry of `fail` makes the lookup fail like a SERVFAIL. */
class TableDns extends MtaStsDnsPort {
  readonly records = new Map<string, string[][] | 'fail'>();

  resolveTxt(name: string): Promise<string[][]> {
    const answer = this.records.get(name) ?? [];
    return answer === 'fail' ? Promise.reject(new Error('SERVFAIL')) : Promise.resolve(answer);
  }
}

/** The real HTTPS port, pointed at the loopback server instead of port 443 of the domain. */
class LoopbackMtaStsHttps extends NodeMtaStsHttps {
  constructor(
    private readonly port: number,
    extraCaPem: string[],
  ) {
    super({ extraCaPem, timeoutMs: 2_000 });
  }

  protected override endpoint(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }
}

function policyBody(mode: string, mx: string[], maxAge = DAY_S): string {
  return ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`]
    .map((line) => `${line}\r\n`)
    .join('');
}

const okProbe: TlsProbeResult = {
  host: '127.0.0.1',
  port: 25,
  servername: 'mx1.example.test',
  starttls: true,
  tlsVersion: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  certificateVerified: true,
  requireTls: false,
  probedAt: new Date(),
};

describe('MtaStsResolverService', () => {
  let ca: TestCa;
  let server: Server;
  let port: number;
  const served = new Map<string, Served>();
  let fetches: string[] = [];
  let dns: TableDns;
  let clock: FakeClock;
  let resolver: MtaStsResolverService;

  function serve(entry: Partial<Served> & { body?: string }, host = POLICY_HOST): void {
    served.set(host, { status: 200, contentType: 'text/plain; charset=utf-8', body: '', ...entry });
  }

  function publish(id: string, domain = DOMAIN): void {
    dns.records.set(`_mta-sts.${domain}`, [['v=STSv1; id=', `${id};`]]);
  }

  beforeAll(async () => {
    ca = createTestCa();
    const cert = issueCertificate(ca, {
      commonName: POLICY_HOST,
      dnsNames: [POLICY_HOST, 'mta-sts.other.test'],
      ipAddresses: ['127.0.0.1'],
    });
    server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      const host = req.headers.host ?? '';
      fetches.push(`${host}${req.url ?? ''}`);
      const entry = served.get(host);
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': entry.contentType };
      if (entry.location) {
        headers.location = entry.location;
      }
      res.writeHead(entry.status, headers).end(entry.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    served.clear();
    fetches = [];
    dns = new TableDns();
    clock = new FakeClock();
    resolver = new MtaStsResolverService(dns, new LoopbackMtaStsHttps(port, [ca.certPem]), clock);
  });

  it('fetches an enforce policy from the well-known URL of the mta-sts host', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test', '*.mx.example.test']) });

    const result = await resolver.resolve('Example.Test.');

    expect(result).toEqual({
      kind: 'policy',
      mode: 'enforce',
      mx: ['mx1.example.test', '*.mx.example.test'],
      maxAge: DAY_S,
      id: 'v1',
    });
    expect(fetches).toEqual(['mta-sts.example.test/.well-known/mta-sts.txt']);
  });

  it('makes TLS usable only for an MX the enforce policy lists, wildcards included', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test', '*.mx.example.test']) });
    const policy = await resolver.resolve(DOMAIN);

    expect(assessTls(okProbe, policy, 'mx1.example.test').usable).toBe(true);
    expect(assessTls(okProbe, policy, 'a.mx.example.test').usable).toBe(true);
    expect(assessTls(okProbe, policy, 'evil.example.test')).toEqual({
      usable: false,
      reasons: [
        'mx1.example.test offers TLSv1.3 with a verified certificate',
        'MTA-STS enforce: evil.example.test not listed',
      ],
      requireTls: false,
    });
  });

  it('returns a testing policy, under which an unlisted MX is only noted', async () => {
    publish('t1');
    serve({ body: policyBody('testing', ['mx1.example.test']) });

    const policy = await resolver.resolve(DOMAIN);

    expect(policy).toMatchObject({ kind: 'policy', mode: 'testing' });
    expect(assessTls(okProbe, policy, 'evil.example.test')).toMatchObject({
      usable: true,
      reasons: expect.arrayContaining(['MTA-STS testing: evil.example.test not listed']),
    });
  });

  it('returns none for a domain without an MTA-STS TXT record', async () => {
    dns.records.set(`_mta-sts.${DOMAIN}`, [['v=spf1 -all']]);

    expect(await resolver.resolve(DOMAIN)).toEqual({ kind: 'none' });
    expect(fetches).toEqual([]);
  });

  it('keeps a policy until max_age without fetching it again', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test'], 3_600) });

    await resolver.resolve(DOMAIN);
    clock.advance(30 * 60_000);
    const cached = await resolver.resolve(DOMAIN);
    expect(cached).toMatchObject({ kind: 'policy', id: 'v1' });
    expect(fetches).toHaveLength(1);

    clock.advance(31 * 60_000);
    await resolver.resolve(DOMAIN);
    expect(fetches).toHaveLength(2);
  });

  it('fetches the policy again when the TXT id changes', async () => {
    publish('v1');
    serve({ body: policyBody('testing', ['mx1.example.test']) });
    await resolver.resolve(DOMAIN);

    publish('v2');
    serve({ body: policyBody('enforce', ['mx2.example.test']) });
    clock.advance(6 * 60_000);
    const result = await resolver.resolve(DOMAIN);

    expect(result).toMatchObject({ kind: 'policy', mode: 'enforce', id: 'v2' });
    expect(result.kind === 'policy' && result.mx).toEqual(['mx2.example.test']);
    expect(fetches).toHaveLength(2);
  });

  it('keeps serving the cached policy when a refresh fails', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test']) });
    await resolver.resolve(DOMAIN);

    publish('v2');
    serve({ status: 500, body: 'oops' });
    clock.advance(6 * 60_000);
    expect(await resolver.resolve(DOMAIN)).toMatchObject({ kind: 'policy', id: 'v1' });

    dns.records.set(`_mta-sts.${DOMAIN}`, 'fail');
    clock.advance(6 * 60_000);
    expect(await resolver.resolve(DOMAIN)).toMatchObject({ kind: 'policy', mode: 'enforce' });

    dns.records.delete(`_mta-sts.${DOMAIN}`);
    clock.advance(6 * 60_000);
    expect(await resolver.resolve(DOMAIN)).toMatchObject({ kind: 'policy', mode: 'enforce' });
  });

  it('drops a cached policy once its max_age has passed and the refresh fails', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test'], 600) });
    await resolver.resolve(DOMAIN);

    serve({ status: 503, body: '' });
    clock.advance(11 * 60_000);

    expect(await resolver.resolve(DOMAIN)).toEqual({
      kind: 'error',
      reason: 'MTA-STS policy for example.test: HTTP 503',
    });
  });

  it('treats a policy served with another content type as an error', async () => {
    publish('v1');
    serve({ contentType: 'text/html', body: policyBody('enforce', ['mx1.example.test']) });

    expect(await resolver.resolve(DOMAIN)).toEqual({
      kind: 'error',
      reason: 'MTA-STS policy for example.test: served as another type than text/plain',
    });
  });

  it('treats a 404 as an error and does not follow a redirect', async () => {
    publish('v1');
    publish('v1', 'other.test');
    serve(
      { status: 301, location: `https://${POLICY_HOST}/.well-known/mta-sts.txt` },
      'mta-sts.other.test',
    );

    expect(await resolver.resolve(DOMAIN)).toMatchObject({ kind: 'error' });
    expect(await resolver.resolve('other.test')).toEqual({
      kind: 'error',
      reason: 'MTA-STS policy for other.test: HTTP 301',
    });
    expect(fetches).toHaveLength(2);
  });

  it('treats a policy host whose certificate is not trusted as an error', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test']) });
    const untrusting = new MtaStsResolverService(dns, new LoopbackMtaStsHttps(port, []), clock);

    const result = await untrusting.resolve(DOMAIN);

    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.reason).toMatch(/fetch failed \(\w+\)/);
    expect(fetches).toEqual([]);
  });

  it('treats two v=STSv1 TXT records as an error without fetching', async () => {
    dns.records.set(`_mta-sts.${DOMAIN}`, [['v=STSv1; id=a;'], ['v=STSv1; id=b;']]);

    expect(await resolver.resolve(DOMAIN)).toMatchObject({ kind: 'error' });
    expect(fetches).toEqual([]);
  });

  it('shares one fetch among concurrent lookups of a domain', async () => {
    publish('v1');
    serve({ body: policyBody('enforce', ['mx1.example.test']) });

    const results = await Promise.all([1, 2, 3].map(() => resolver.resolve(DOMAIN)));

    expect(fetches).toHaveLength(1);
    expect(results.every((r) => r.kind === 'policy')).toBe(true);
  });

  it('gives up on a DNS port that never answers within the lookup bound', async () => {
    const hanging = new (class extends MtaStsDnsPort {
      resolveTxt(): Promise<string[][]> {
        return new Promise<string[][]>(() => undefined);
      }
    })();
    const bounded = new MtaStsResolverService(
      hanging,
      new LoopbackMtaStsHttps(port, [ca.certPem]),
      clock,
      { lookupTimeoutMs: 200 },
    );

    expect(await bounded.resolve(DOMAIN)).toEqual({
      kind: 'error',
      reason: 'MTA-STS TXT lookup for example.test failed',
    });
  });
});
