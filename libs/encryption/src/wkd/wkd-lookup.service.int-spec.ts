import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { generateKey, readKey, readPrivateKey, revokeKey } from 'openpgp';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { FakeClock } from '../tls-probe/testing/fake-clock';
import { LoopbackWkdServer } from './testing/loopback-wkd-server';
import { FROM_WKD, type WkdCacheOptions, WkdLookupService } from './wkd-lookup.service';
import { wkdUrls } from './wkd-url';

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

// Every domain a test makes, to check afterwards that none reached a log line.
const domains: string[] = [];
const domain = () => {
  const name = `d${randomBytes(4).toString('hex')}.test`;
  domains.push(name);
  return name;
};
const binaryKey = async (armoredKey: string) => (await readKey({ armoredKey })).write();
const newKey = (address: string, extra: object = {}) =>
  generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Patient', email: address }],
    ...extra,
  });

describe('WkdLookupService against a loopback HTTPS Web Key Directory', () => {
  let ca: TestCa;
  let directory: LoopbackWkdServer;

  const serve = (url: URL, answer: Parameters<LoopbackWkdServer['publish']>[1]) =>
    directory.publish(url, answer);
  const requestsFor = (url: URL) => directory.requestsFor(url);
  const service = (options: WkdCacheOptions & { timeoutMs?: number } = {}) => {
    const clock = new FakeClock();
    const https = directory.client([ca.certPem], options.timeoutMs);
    return { clock, wkd: new WkdLookupService(https, clock, options) };
  };

  const logLines: string[] = [];
  const capture = (...parts: unknown[]) => {
    logLines.push(JSON.stringify(parts));
  };
  const capturingLogger: LoggerService = {
    log: capture,
    error: capture,
    warn: capture,
    debug: capture,
    verbose: capture,
  };

  beforeAll(async () => {
    Logger.overrideLogger(capturingLogger);
    ca = createTestCa('Sealpost WKD Test CA');
    directory = await LoopbackWkdServer.start(ca);
  });

  afterAll(async () => {
    Logger.overrideLogger(new ConsoleLogger());
    await directory?.close();
  });

  it('finds a key by the advanced method and records where it came from', async () => {
    const address = `Jane.Doe@${domain()}`;
    const key = await newKey(address);
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 200, body: await binaryKey(key.publicKey) });
    const { wkd } = service();

    const found = await wkd.lookup(address);

    expect(advanced.pathname).toMatch(/^\/\.well-known\/openpgpkey\/d[0-9a-f]+\.test\/hu\/\w{32}$/);
    expect(advanced.search).toBe('?l=Jane.Doe');
    expect(requestsFor(advanced)).toBe(1);
    expect(found).toMatchObject({ usable: true, reason: FROM_WKD });
    const material = found.usable ? await readKey({ armoredKey: found.material }) : null;
    expect(material?.getFingerprint()).toBe(
      (await readKey({ armoredKey: key.publicKey })).getFingerprint(),
    );
  });

  it('falls back to the direct method when the openpgpkey host does not exist', async () => {
    const address = `patient@${domain()}`;
    const key = await newKey(address);
    const { advanced, direct } = wkdUrls(address);
    serve(direct, { status: 200, body: await binaryKey(key.publicKey) });
    const { wkd } = service();

    const found = await wkd.lookup(address);

    expect(directory.serves(advanced.hostname)).toBe(false);
    expect(found).toMatchObject({ usable: true, reason: FROM_WKD });
  });

  it('takes a 404 of the advanced host as final and does not ask the direct one', async () => {
    const address = `patient@${domain()}`;
    const key = await newKey(address);
    const { advanced, direct } = wkdUrls(address);
    serve(advanced, { status: 404 });
    serve(direct, { status: 200, body: await binaryKey(key.publicKey) });
    const { wkd } = service();

    const found = await wkd.lookup(address);

    expect(found).toEqual({ usable: false, reason: 'WKD: no key published' });
    expect(requestsFor(direct)).toBe(0);
  });

  it.each([
    [
      'expired',
      (address: string) =>
        newKey(address, { date: new Date(Date.now() - 2 * DAY_MS), keyExpirationTime: 3600 }),
    ],
    [
      'revoked',
      async (address: string) => {
        const { privateKey } = await newKey(address);
        return revokeKey({ key: await readPrivateKey({ armoredKey: privateKey }) });
      },
    ],
    ['no encryption subkey', (address: string) => newKey(address, { subkeys: [] })],
    ['address mismatch', () => newKey(`someone.else@${domain()}`)],
  ])('refuses a published key (%s), like an upload', async (reason, make) => {
    const address = `patient@${domain()}`;
    const { publicKey } = await make(address);
    serve(wkdUrls(address).advanced, { status: 200, body: await binaryKey(publicKey) });
    const { wkd } = service();

    expect(await wkd.lookup(address)).toEqual({ usable: false, reason: `WKD: key ${reason}` });
  });

  it('refuses an answer that is not a binary key', async () => {
    const address = `patient@${domain()}`;
    serve(wkdUrls(address).advanced, { status: 200, body: Buffer.from('<html>hello</html>') });
    const { wkd } = service();

    expect(await wkd.lookup(address)).toEqual({ usable: false, reason: 'WKD: key malformed' });
  });

  it('refuses a server whose certificate is not trusted', async () => {
    const address = `patient@${domain()}`;
    const key = await newKey(address);
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 200, body: await binaryKey(key.publicKey) });
    const untrusting = new WkdLookupService(directory.client([]), new FakeClock());

    expect(await untrusting.lookup(address)).toEqual({
      usable: false,
      reason: 'WKD: lookup failed',
    });
  });

  it('gives up on a directory that does not answer within the timeout', async () => {
    const address = `patient@${domain()}`;
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 200, hang: true });
    const { wkd } = service({ timeoutMs: 300 });

    const outcome = await wkd.lookup(address);

    expect(outcome).toEqual({ usable: false, reason: 'WKD: lookup failed' });
    expect(requestsFor(advanced)).toBe(1);
  });

  it('caches a found key for its TTL, then asks again', async () => {
    const address = `patient@${domain()}`;
    const key = await newKey(address);
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 200, body: await binaryKey(key.publicKey) });
    const { wkd, clock } = service({ foundTtlMs: HOUR_MS });

    await wkd.lookup(address);
    clock.advance(HOUR_MS - 1000);
    const cached = await wkd.lookup(address);
    const requestsWhileCached = requestsFor(advanced);
    clock.advance(2000);
    await wkd.lookup(address);

    expect(cached.usable).toBe(true);
    expect(requestsWhileCached).toBe(1);
    expect(requestsFor(advanced)).toBe(2);
  });

  it('caches an absence too, for its own TTL', async () => {
    const address = `patient@${domain()}`;
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 404 });
    const { wkd, clock } = service({ notFoundTtlMs: 10 * 60 * 1000 });

    await wkd.lookup(address);
    await wkd.lookup(address);
    const requestsWhileCached = requestsFor(advanced);
    clock.advance(10 * 60 * 1000 + 1);
    await wkd.lookup(address);

    expect(requestsWhileCached).toBe(1);
    expect(requestsFor(advanced)).toBe(2);
  });

  it('keeps at most maxEntries addresses, dropping the least recently used', async () => {
    const addresses = [1, 2, 3].map((n) => `patient${n}@${domain()}`);
    for (const address of addresses) {
      serve(wkdUrls(address).advanced, { status: 404 });
    }
    const { wkd } = service({ maxEntries: 2 });

    for (const address of addresses) {
      await wkd.lookup(address);
    }
    await wkd.lookup(addresses[2]);
    await wkd.lookup(addresses[0]);

    expect(requestsFor(wkdUrls(addresses[2]).advanced)).toBe(1);
    expect(requestsFor(wkdUrls(addresses[0]).advanced)).toBe(2);
  });

  it('makes one request for concurrent lookups of one address', async () => {
    const address = `patient@${domain()}`;
    const key = await newKey(address);
    const { advanced } = wkdUrls(address);
    serve(advanced, { status: 200, body: await binaryKey(key.publicKey) });
    const { wkd } = service();

    const outcomes = await Promise.all([wkd.lookup(address), wkd.lookup(address)]);

    expect(outcomes.map((outcome) => outcome.usable)).toEqual([true, true]);
    expect(requestsFor(advanced)).toBe(1);
  });

  // Runs last: every lookup above (found, refused, absent, failed) has logged by now.
  it('logs outcomes without any recipient domain or local part', () => {
    expect(logLines.join('\n')).toContain('WKD lookup');
    for (const name of domains) {
      expect(logLines.join('\n')).not.toContain(name);
    }
    expect(logLines.join('\n')).not.toMatch(/patient|jane\.doe/i);
  });
});
