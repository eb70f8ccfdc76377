import { randomBytes } from 'node:crypto';
import {
  type DeliveryConfig,
  type RelayConfig,
  type SealpostConfig,
  type TransportRoute,
} from '@sealpost/core';
import { DnsResolverPort, type MxRecord } from './dns-resolver.port';
import { RouteError, RouteResolver } from './route-resolver';

/** Answers MX lookups from a fixed table; a domain not in it fails with ENOTFOUND. */
class FixedDnsResolver extends DnsResolverPort {
  readonly lookups: string[] = [];

  constructor(private readonly answers: Record<string, MxRecord[] | NodeJS.ErrnoException>) {
    super();
  }

  resolveMx(domain: string): Promise<MxRecord[]> {
    this.lookups.push(domain);
    const answer = this.answers[domain] ?? dnsError('ENOTFOUND');
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

function dnsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`queryMx ${code} jane-doe-clinic.test`), { code });
}

function configWith(delivery: Partial<DeliveryConfig> = {}): SealpostConfig {
  return {
    environment: 'test',
    dataDir: '/nonexistent',
    database: { url: 'postgres://postgres@127.0.0.1:5432/sealpost' },
    redis: { url: 'redis://127.0.0.1:6379', queuePrefix: 'sealpost' },
    http: { port: 3000, maxMessageBytes: 1024 * 1024, maxRecipients: 100 },
    crypto: { masterKey: randomBytes(32), previousMasterKeys: [], masterKeySource: 'environment' },
    delivery: {
      ehloName: 'mta.sealpost.test',
      bounceDomain: 'bounces.sealpost.test',
      transportMap: new Map<string, TransportRoute>(),
      extraCaPem: [],
      retryBaseSeconds: 60,
      retryMaxDelaySeconds: 3600,
      bounceAfterSeconds: 259200,
      leaseSeconds: 120,
      workerConcurrency: 1,
      connectionsPerRoute: 1,
      connectTimeoutMs: 1000,
      ...delivery,
    },
    encryption: { smimeTrustedCaPems: [], wkd: { enabled: false, timeoutMs: 5000 } },
    logging: { level: 'silent' },
    portal: { publicUrl: 'http://localhost:3000', linkDays: 30, attemptsPerIp: 30 },
    audit: { checkpointEvery: 1000, checkpointMinutes: 60 },
    webhooks: { allowPrivateAddresses: false, timeoutMs: 10000 },
    microsoft365: {
      loginUrl: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com',
    },
    googleWorkspace: {
      apiRootUrl: null,
      tokenUrl: 'https://oauth2.googleapis.com/token',
      certsUrl: 'https://www.googleapis.com/oauth2/v1/certs',
    },
    addins: {
      outlookAddinId: null,
      gmailServiceAccount: null,
      gmailOauthClientId: null,
    },
  };
}

const transportMap = (entries: Record<string, TransportRoute>) =>
  new Map<string, TransportRoute>(Object.entries(entries));

async function routeErrorOf(promise: Promise<unknown>): Promise<RouteError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RouteError) {
      return error;
    }
    throw error;
  }
  throw new Error('resolve did not fail');
}

describe('RouteResolver', () => {
  describe('transport map', () => {
    it('sends an exactly matching domain to its mapped host with STARTTLS', async () => {
      const dns = new FixedDnsResolver({});
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({ 'lab.test': { host: '127.0.0.1', port: 2525 } }),
        }),
        dns,
      );

      await expect(resolver.resolve('lab.test')).resolves.toEqual({
        via: 'transport-map',
        hops: [{ host: '127.0.0.1', port: 2525, implicitTls: false, servername: '127.0.0.1' }],
      });
      expect(dns.lookups).toEqual([]);
    });

    it('sends a subdomain to the entry of a dotted parent', async () => {
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({ '.lab.test': { host: 'gw.lab.test', port: 25 } }),
        }),
        new FixedDnsResolver({}),
      );

      await expect(resolver.resolve('eu.north.lab.test')).resolves.toMatchObject({
        via: 'transport-map',
        hops: [{ host: 'gw.lab.test', port: 25 }],
      });
    });

    it('does not let a dotted entry match the parent domain itself', async () => {
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({ '.lab.test': { host: 'gw.lab.test', port: 25 } }),
        }),
        new FixedDnsResolver({ 'lab.test': [{ exchange: 'mx.lab.test', priority: 10 }] }),
      );

      await expect(resolver.resolve('lab.test')).resolves.toMatchObject({ via: 'mx' });
    });

    it('does not let an exact entry match its subdomains', async () => {
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({ 'lab.test': { host: 'gw.lab.test', port: 25 } }),
        }),
        new FixedDnsResolver({ 'eu.lab.test': [{ exchange: 'mx.eu.lab.test', priority: 10 }] }),
      );

      await expect(resolver.resolve('eu.lab.test')).resolves.toMatchObject({ via: 'mx' });
    });

    it('prefers the exact entry, then the closest parent', async () => {
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({
            '.test': { host: 'any-test', port: 1 },
            '.lab.test': { host: 'any-lab', port: 2 },
            'eu.lab.test': { host: 'eu-lab', port: 3 },
          }),
        }),
        new FixedDnsResolver({}),
      );

      await expect(resolver.resolve('eu.lab.test')).resolves.toMatchObject({
        hops: [{ host: 'eu-lab' }],
      });
      await expect(resolver.resolve('us.lab.test')).resolves.toMatchObject({
        hops: [{ host: 'any-lab' }],
      });
      await expect(resolver.resolve('other.test')).resolves.toMatchObject({
        hops: [{ host: 'any-test' }],
      });
    });

    it('takes the transport map before the relay', async () => {
      const resolver = new RouteResolver(
        configWith({
          transportMap: transportMap({ 'lab.test': { host: '127.0.0.1', port: 2525 } }),
          relay: { host: 'relay.test', port: 587, implicitTls: false },
        }),
        new FixedDnsResolver({}),
      );

      await expect(resolver.resolve('lab.test')).resolves.toMatchObject({
        via: 'transport-map',
      });
    });
  });

  describe('relay', () => {
    it('sends every unmapped domain to the relay without looking up MX', async () => {
      const relay: RelayConfig = { host: 'relay.isp.test', port: 465, implicitTls: true };
      const dns = new FixedDnsResolver({});
      const resolver = new RouteResolver(configWith({ relay }), dns);

      await expect(resolver.resolve('clinic.test')).resolves.toEqual({
        via: 'relay',
        hops: [
          {
            host: 'relay.isp.test',
            port: 465,
            implicitTls: true,
            auth: undefined,
            servername: 'relay.isp.test',
          },
        ],
      });
      expect(dns.lookups).toEqual([]);
    });

    it('passes the relay credentials', async () => {
      const relay: RelayConfig = {
        host: 'relay.isp.test',
        port: 587,
        implicitTls: false,
        user: 'clinic',
        password: 's3cret',
      };
      const resolver = new RouteResolver(configWith({ relay }), new FixedDnsResolver({}));

      const route = await resolver.resolve('clinic.test');

      expect(route.hops[0].auth).toEqual({ user: 'clinic', pass: 's3cret' });
    });

    it('passes an empty password for a user without one', async () => {
      const relay: RelayConfig = { host: 'r.test', port: 587, implicitTls: false, user: 'clinic' };
      const resolver = new RouteResolver(configWith({ relay }), new FixedDnsResolver({}));

      const route = await resolver.resolve('clinic.test');

      expect(route.hops[0].auth).toEqual({ user: 'clinic', pass: '' });
    });
  });

  describe('MX', () => {
    it('tries the MX hosts in order of preference on port 25 with STARTTLS', async () => {
      const resolver = new RouteResolver(
        configWith(),
        new FixedDnsResolver({
          'clinic.test': [
            { exchange: 'backup.clinic.test', priority: 20 },
            { exchange: 'mx2.clinic.test', priority: 10 },
            { exchange: 'mx1.clinic.test', priority: 5 },
          ],
        }),
      );

      const route = await resolver.resolve('clinic.test');

      expect(route.via).toBe('mx');
      expect(route.hops).toEqual([
        { host: 'mx1.clinic.test', port: 25, implicitTls: false, servername: 'mx1.clinic.test' },
        { host: 'mx2.clinic.test', port: 25, implicitTls: false, servername: 'mx2.clinic.test' },
        {
          host: 'backup.clinic.test',
          port: 25,
          implicitTls: false,
          servername: 'backup.clinic.test',
        },
      ]);
    });

    it('does not reorder the records the resolver returned', async () => {
      const records = [
        { exchange: 'b.test', priority: 20 },
        { exchange: 'a.test', priority: 10 },
      ];
      const resolver = new RouteResolver(configWith(), new FixedDnsResolver({ 'c.test': records }));

      await resolver.resolve('c.test');

      expect(records.map((record) => record.exchange)).toEqual(['b.test', 'a.test']);
    });

    it.each(['.', ''])('refuses a null MX (%p) as permanent', async (exchange) => {
      const resolver = new RouteResolver(
        configWith(),
        new FixedDnsResolver({ 'nomail.test': [{ exchange, priority: 0 }] }),
      );

      const error = await routeErrorOf(resolver.resolve('nomail.test'));

      expect(error.permanent).toBe(true);
      expect(error.message).toBe('the domain publishes a null MX and accepts no mail');
    });

    it('treats a domain that does not exist as permanent', async () => {
      const resolver = new RouteResolver(configWith(), new FixedDnsResolver({}));

      const error = await routeErrorOf(resolver.resolve('no-such-domain.test'));

      expect(error.permanent).toBe(true);
      expect(error.message).toBe('DNS lookup of MX for the domain failed (ENOTFOUND)');
    });

    it.each(['ETIMEOUT', 'ESERVFAIL', 'ECONNREFUSED', 'EREFUSED'])(
      'treats DNS error %s as temporary',
      async (code) => {
        const resolver = new RouteResolver(
          configWith(),
          new FixedDnsResolver({ 'clinic.test': dnsError(code) }),
        );

        const error = await routeErrorOf(resolver.resolve('clinic.test'));

        expect(error.permanent).toBe(false);
        expect(error.message).toBe(`DNS lookup of MX for the domain failed (${code})`);
      },
    );

    it('treats a DNS error without a code as temporary and does not quote its text', async () => {
      const resolver = new RouteResolver(
        configWith(),
        new FixedDnsResolver({ 'clinic.test': new Error('lookup of jane-doe-clinic.test') }),
      );

      const error = await routeErrorOf(resolver.resolve('clinic.test'));

      expect(error.permanent).toBe(false);
      expect(error.message).toBe('DNS lookup of MX for the domain failed (EDNS)');
    });
  });
});
