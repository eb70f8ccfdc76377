import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EnvValueError,
  parseDomain,
  parseInteger,
  parseMasterKey,
  parseRelay,
  parseTransportMap,
  parseUrl,
  readCaFile,
} from './env-parsers';

// Not a real certificate: readCaFile only splits PEM blocks, it does not parse them.
const pemBlock = (body: string): string =>
  `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

describe('parseInteger', () => {
  it('reads a whole number inside the range, ends included', () => {
    expect(parseInteger('1', 1, 10)).toBe(1);
    expect(parseInteger('10', 1, 10)).toBe(10);
    expect(parseInteger(' 7 ', 1, 10)).toBe(7);
  });

  it.each(['0', '11', '-1', '2.5', '1e3', '', 'ten', '0x10'])('refuses %p for 1..10', (raw) => {
    expect(() => parseInteger(raw, 1, 10)).toThrow(EnvValueError);
  });

  it('names the allowed range in its message', () => {
    expect(() => parseInteger('99', 1, 10)).toThrow('must be a whole number from 1 to 10');
  });
});

describe('parseUrl', () => {
  it('returns the URL when its protocol is allowed', () => {
    const url = parseUrl('redis://127.0.0.1:6379/2', ['redis:', 'rediss:']);

    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe('6379');
  });

  it('refuses text that is not a URL and says what was expected', () => {
    expect(() => parseUrl('localhost:6379', ['redis:'])).toThrow(EnvValueError);
    expect(() => parseUrl('not a url', ['redis:'])).toThrow('is not a URL; expected redis://');
  });

  it('refuses a URL of another protocol and names the one found', () => {
    expect(() => parseUrl('http://127.0.0.1:6379', ['redis:', 'rediss:'])).toThrow(
      'must start with redis: or rediss:// (found http:)',
    );
  });
});

describe('parseDomain', () => {
  it('reads a fully qualified name, lower-cased and trimmed', () => {
    expect(parseDomain(' Bounces.North-Clinic.example ')).toBe('bounces.north-clinic.example');
  });

  it.each(['localhost', 'bounce@clinic.test', '-a.clinic.test', 'a..test', 'a b.test', ''])(
    'refuses %p',
    (raw) => {
      expect(() => parseDomain(raw)).toThrow('must be a fully qualified domain name');
    },
  );
});

describe('parseMasterKey', () => {
  it('reads 32 bytes of base64, ignoring surrounding white space', () => {
    const key = randomBytes(32);

    expect(parseMasterKey(`  ${key.toString('base64')}\n`).equals(key)).toBe(true);
  });

  it.each([16, 31, 33, 64])('refuses a key of %i bytes', (bytes) => {
    expect(() => parseMasterKey(randomBytes(bytes).toString('base64'))).toThrow(
      'must be 32 random bytes in base64',
    );
  });

  it('refuses an empty value', () => {
    expect(() => parseMasterKey('')).toThrow(EnvValueError);
  });
});

describe('parseRelay', () => {
  it('defaults smtp:// to port 587 with STARTTLS', () => {
    expect(parseRelay('smtp://relay.example.test')).toEqual({
      host: 'relay.example.test',
      port: 587,
      implicitTls: false,
      user: undefined,
      password: undefined,
    });
  });

  it('defaults smtps:// to port 465 with implicit TLS', () => {
    expect(parseRelay('smtps://relay.example.test')).toMatchObject({
      port: 465,
      implicitTls: true,
    });
  });

  it('keeps an explicit port', () => {
    expect(parseRelay('smtps://relay.example.test:2465').port).toBe(2465);
    expect(parseRelay('smtp://relay.example.test:25').port).toBe(25);
  });

  it('decodes percent-encoded credentials', () => {
    const relay = parseRelay('smtp://clinic%40example.test:p%3As%2Fs@relay.example.test:2525');

    expect(relay.user).toBe('clinic@example.test');
    expect(relay.password).toBe('p:s/s');
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(parseRelay('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('refuses a protocol other than smtp or smtps', () => {
    expect(() => parseRelay('http://relay.example.test')).toThrow(EnvValueError);
    expect(() => parseRelay('submission://relay.example.test')).toThrow('(found submission:)');
  });
});

describe('parseTransportMap', () => {
  it('reads domain=host:port entries separated by commas, spaces and new lines', () => {
    const map = parseTransportMap('a.test=127.0.0.1:2525, b.test=mx.b.test:25\nc.test=c:26');

    expect([...map.entries()]).toEqual([
      ['a.test', { host: '127.0.0.1', port: 2525 }],
      ['b.test', { host: 'mx.b.test', port: 25 }],
      ['c.test', { host: 'c', port: 26 }],
    ]);
  });

  it('reads a bracketed host as Postfix writes it', () => {
    expect(parseTransportMap('example.test=[127.0.0.1]:2525').get('example.test')).toEqual({
      host: '127.0.0.1',
      port: 2525,
    });
  });

  it('reads a bracketed IPv6 host', () => {
    expect(parseTransportMap('example.test=[::1]:2525').get('example.test')).toEqual({
      host: '::1',
      port: 2525,
    });
  });

  it('keeps a leading dot on a key, which stands for the subdomains', () => {
    const map = parseTransportMap('.example.test=127.0.0.1:2525');

    expect(map.has('.example.test')).toBe(true);
    expect(map.has('example.test')).toBe(false);
  });

  it('lower-cases the domain key', () => {
    expect(parseTransportMap('Example.TEST=127.0.0.1:25').has('example.test')).toBe(true);
  });

  it('returns an empty map for blank input', () => {
    expect(parseTransportMap(' ,\n ').size).toBe(0);
  });

  it('lets a later entry for the same domain win', () => {
    const map = parseTransportMap('example.test=one:25 example.test=two:26');

    expect(map.get('example.test')).toEqual({ host: 'two', port: 26 });
  });

  it.each([
    ['a transport map entry without a port', 'example.test=127.0.0.1'],
    ['an entry without a domain', '=127.0.0.1:25'],
    ['an entry without "="', 'example.test:25'],
    ['an entry without a host', 'example.test=:25'],
    ['a domain with an underscore', 'exa_mple.test=127.0.0.1:25'],
    ['a domain with an empty label', 'example..test=127.0.0.1:25'],
    ['a non-numeric port', 'example.test=127.0.0.1:smtp'],
  ])('refuses %s', (_case, raw) => {
    expect(() => parseTransportMap(raw)).toThrow(EnvValueError);
  });

  it('quotes the bad entry and shows the expected form', () => {
    expect(() => parseTransportMap('a.test=1.2.3.4:25,b.test=5.6.7.8')).toThrow(
      'entry "b.test=5.6.7.8" is not DOMAIN=HOST:PORT',
    );
  });

  it.each(['0', '65536'])('refuses port %s', (port) => {
    expect(() => parseTransportMap(`example.test=127.0.0.1:${port}`)).toThrow(
      'must be a whole number from 1 to 65535',
    );
  });
});

describe('readCaFile', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sealpost-ca-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns each certificate of a bundle and drops the text around them', () => {
    const first = pemBlock(randomBytes(48).toString('base64'));
    const second = pemBlock(randomBytes(48).toString('base64'));
    const path = join(dir, 'bundle.pem');
    writeFileSync(path, `# corporate roots\n${first}\nsubject=whatever\n${second}`);

    expect(readCaFile(path)).toEqual([first.trimEnd(), second.trimEnd()]);
  });

  it('refuses a file that holds no PEM certificate and names the file', () => {
    const path = join(dir, 'key.pem');
    writeFileSync(path, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');

    expect(() => readCaFile(path)).toThrow(`names ${path}, which holds no PEM certificate`);
  });

  it('refuses a missing file and gives the system error code', () => {
    const path = join(dir, `${randomUUID()}.pem`);

    expect(() => readCaFile(path)).toThrow(`names ${path}, which cannot be read (ENOENT)`);
  });

  it('refuses a directory in place of a file', () => {
    expect(() => readCaFile(dir)).toThrow(/which cannot be read \(EISDIR\)/);
  });
});
