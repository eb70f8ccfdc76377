import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootError } from '../boot/boot-error';
import { type Env, loadConfig } from './load-config';
import { MASTER_KEY_FILE } from './master-key-file';

const newKey = (): Buffer => randomBytes(32);

describe('loadConfig', () => {
  let dataDir: string;

  // A complete environment for one case: a fresh data directory and nothing else unless asked.
  const envWith = (overrides: Env = {}): Env => ({
    NODE_ENV: 'test',
    SEALPOST_DATA_DIR: dataDir,
    ...overrides,
  });

  const bootErrorOf = (env: Env): BootError => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof BootError) {
        return error;
      }
      throw error;
    }
    throw new Error('loadConfig accepted the environment');
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sealpost-config-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('with nothing set', () => {
    it('uses the documented defaults', () => {
      const config = loadConfig(envWith({ SEALPOST_MASTER_KEY: newKey().toString('base64') }));

      expect(config.environment).toBe('test');
      expect(config.dataDir).toBe(dataDir);
      expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/sealpost');
      expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', queuePrefix: 'sealpost' });
      expect(config.http).toEqual({
        port: 3000,
        maxMessageBytes: 25 * 1024 * 1024,
        maxRecipients: 100,
      });
      expect(config.delivery).toEqual({
        ehloName: hostname(),
        bounceDomain: hostname().includes('.') ? hostname().toLowerCase() : null,
        relay: undefined,
        transportMap: new Map(),
        extraCaPem: [],
        retryBaseSeconds: 60,
        retryMaxDelaySeconds: 3600,
        bounceAfterSeconds: 3 * 24 * 3600,
        leaseSeconds: 120,
        workerConcurrency: 32,
        connectionsPerRoute: 8,
        connectTimeoutMs: 15000,
      });
      expect(config.encryption).toEqual({
        smimeTrustedCaPems: [],
        wkd: { enabled: false, timeoutMs: 5000 },
      });
      expect(config.logging).toEqual({ level: 'info' });
    });

    it('treats an unset or empty NODE_ENV as development', () => {
      const key = newKey().toString('base64');

      expect(
        loadConfig(envWith({ NODE_ENV: undefined, SEALPOST_MASTER_KEY: key })).environment,
      ).toBe('development');
      expect(loadConfig(envWith({ NODE_ENV: '', SEALPOST_MASTER_KEY: key })).environment).toBe(
        'development',
      );
    });
  });

  it('reads every area from the environment it is given', () => {
    const caPath = join(dataDir, 'ca.pem');
    writeFileSync(caPath, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');

    const config = loadConfig(
      envWith({
        SEALPOST_MASTER_KEY: newKey().toString('base64'),
        DATABASE_URL: 'postgresql://app@db.internal:6432/mail',
        REDIS_URL: 'rediss://cache.internal:6380',
        SEALPOST_QUEUE_PREFIX: 'suite_7',
        PORT: '8080',
        SEALPOST_MAX_RECIPIENTS: '5',
        SEALPOST_EHLO_NAME: ' mta.clinic.test ',
        SEALPOST_BOUNCE_DOMAIN: 'Bounces.Clinic.test',
        SEALPOST_SMTP_RELAY: 'smtps://relay.clinic.test',
        SEALPOST_TRANSPORT_MAP: 'lab.test=[127.0.0.1]:2525',
        SEALPOST_TLS_CA_FILE: caPath,
        SEALPOST_LOG_LEVEL: 'debug',
      }),
    );

    expect(config.database.url).toBe('postgresql://app@db.internal:6432/mail');
    expect(config.redis).toEqual({ url: 'rediss://cache.internal:6380', queuePrefix: 'suite_7' });
    expect(config.http.port).toBe(8080);
    expect(config.http.maxRecipients).toBe(5);
    expect(config.delivery.ehloName).toBe('mta.clinic.test');
    expect(config.delivery.bounceDomain).toBe('bounces.clinic.test');
    expect(config.delivery.relay).toMatchObject({ host: 'relay.clinic.test', port: 465 });
    expect(config.delivery.transportMap.get('lab.test')).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(config.delivery.extraCaPem).toHaveLength(1);
    expect(config.logging.level).toBe('debug');
  });

  it('takes a fully qualified EHLO name as the bounce domain, and none of a bare host name', () => {
    const key = newKey().toString('base64');

    const qualified = loadConfig(
      envWith({ SEALPOST_MASTER_KEY: key, SEALPOST_EHLO_NAME: 'MTA.Clinic.test' }),
    );
    const bare = loadConfig(envWith({ SEALPOST_MASTER_KEY: key, SEALPOST_EHLO_NAME: 'vm' }));

    expect(qualified.delivery.bounceDomain).toBe('mta.clinic.test');
    expect(bare.delivery.bounceDomain).toBeNull();
  });

  it('ignores optional settings that are blank', () => {
    const config = loadConfig(
      envWith({
        SEALPOST_MASTER_KEY: newKey().toString('base64'),
        SEALPOST_SMTP_RELAY: '  ',
        SEALPOST_TRANSPORT_MAP: '',
        SEALPOST_TLS_CA_FILE: '',
      }),
    );

    expect(config.delivery.relay).toBeUndefined();
    expect(config.delivery.transportMap.size).toBe(0);
    expect(config.delivery.extraCaPem).toEqual([]);
  });

  it('reports every problem, each with its variable name, on one line', () => {
    const error = bootErrorOf(
      envWith({
        SEALPOST_MASTER_KEY: newKey().toString('base64'),
        NODE_ENV: 'staging',
        PORT: '0',
        REDIS_URL: 'http://127.0.0.1:6379',
        SEALPOST_QUEUE_PREFIX: 'has space',
        SEALPOST_TRANSPORT_MAP: 'lab.test=127.0.0.1',
        SEALPOST_TLS_CA_FILE: join(dataDir, 'missing.pem'),
        SEALPOST_LOG_LEVEL: 'loud',
        SEALPOST_BOUNCE_DOMAIN: 'bounce+1@clinic.test',
      }),
    );

    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^configuration error: /);
    for (const name of [
      'NODE_ENV',
      'PORT',
      'REDIS_URL',
      'SEALPOST_QUEUE_PREFIX',
      'SEALPOST_TRANSPORT_MAP',
      'SEALPOST_TLS_CA_FILE',
      'SEALPOST_LOG_LEVEL',
      'SEALPOST_BOUNCE_DOMAIN',
    ]) {
      expect(error.message).toContain(`${name} `);
    }
    expect(error.message.split('; ')).toHaveLength(8);
  });

  it('does not quote a database password when the URL is refused', () => {
    const password = randomBytes(12).toString('hex');

    const error = bootErrorOf(
      envWith({
        SEALPOST_MASTER_KEY: newKey().toString('base64'),
        DATABASE_URL: `mysql://app:${password}@db.internal/mail`,
      }),
    );

    expect(error.message).toContain('DATABASE_URL must start with postgres: or postgresql://');
    expect(error.message).not.toContain(password);
  });

  it('refuses an environment value that is out of range rather than clamping it', () => {
    const error = bootErrorOf(
      envWith({
        SEALPOST_MASTER_KEY: newKey().toString('base64'),
        SEALPOST_MAX_MESSAGE_BYTES: '1023',
      }),
    );

    expect(error.message).toContain('SEALPOST_MAX_MESSAGE_BYTES must be a whole number from 1024');
  });

  describe('WKD lookup', () => {
    it('is turned on and timed by its variables', () => {
      const config = loadConfig(
        envWith({
          SEALPOST_MASTER_KEY: newKey().toString('base64'),
          SEALPOST_WKD_LOOKUP: 'on',
          SEALPOST_WKD_TIMEOUT_MS: '2500',
        }),
      );

      expect(config.encryption.wkd).toEqual({ enabled: true, timeoutMs: 2500 });
    });

    it('refuses a switch value other than on or off, naming the variable', () => {
      const error = bootErrorOf(
        envWith({ SEALPOST_MASTER_KEY: newKey().toString('base64'), SEALPOST_WKD_LOOKUP: 'yes' }),
      );

      expect(error.message).toContain('SEALPOST_WKD_LOOKUP must be on or off');
    });
  });

  describe('S/MIME CA bundle', () => {
    it('reads every certificate of SEALPOST_SMIME_CA_FILE as a trust anchor', () => {
      const path = join(dataDir, 'smime-ca.pem');
      const block = (body: string) =>
        `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
      writeFileSync(path, `${block('AAAA')}\n${block('BBBB')}\n`);

      const config = loadConfig(
        envWith({ SEALPOST_MASTER_KEY: newKey().toString('base64'), SEALPOST_SMIME_CA_FILE: path }),
      );

      expect(config.encryption.smimeTrustedCaPems).toEqual([block('AAAA'), block('BBBB')]);
    });

    it('stops the boot, naming the variable, when the file cannot be read', () => {
      const path = join(dataDir, 'absent.pem');

      const error = bootErrorOf(
        envWith({ SEALPOST_MASTER_KEY: newKey().toString('base64'), SEALPOST_SMIME_CA_FILE: path }),
      );

      expect(error.message).toContain(`SEALPOST_SMIME_CA_FILE names ${path}, which cannot be read`);
    });

    it('stops the boot when the file holds no certificate', () => {
      const path = join(dataDir, 'empty.pem');
      writeFileSync(path, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');

      const error = bootErrorOf(
        envWith({ SEALPOST_MASTER_KEY: newKey().toString('base64'), SEALPOST_SMIME_CA_FILE: path }),
      );

      expect(error.message).toContain(
        `SEALPOST_SMIME_CA_FILE names ${path}, which holds no PEM certificate`,
      );
    });
  });

  describe('master key', () => {
    it('takes the key from SEALPOST_MASTER_KEY and writes no key file', () => {
      const key = newKey();

      const { crypto } = loadConfig(envWith({ SEALPOST_MASTER_KEY: key.toString('base64') }));

      expect(crypto.masterKey.equals(key)).toBe(true);
      expect(crypto.masterKeySource).toBe('environment');
      expect(crypto.previousMasterKeys).toEqual([]);
      expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
    });

    it('reads previous keys separated by commas', () => {
      const previous = [newKey(), newKey()];

      const { crypto } = loadConfig(
        envWith({
          SEALPOST_MASTER_KEY: newKey().toString('base64'),
          SEALPOST_PREVIOUS_MASTER_KEYS: previous.map((key) => key.toString('base64')).join(', '),
        }),
      );

      expect(crypto.previousMasterKeys).toEqual(previous);
    });

    it('refuses a master key that is not 32 bytes and names the variable', () => {
      const error = bootErrorOf(
        envWith({ SEALPOST_MASTER_KEY: randomBytes(16).toString('base64') }),
      );

      expect(error.message).toContain('SEALPOST_MASTER_KEY must be 32 random bytes in base64');
    });

    it('refuses a bad previous key and names the variable', () => {
      const error = bootErrorOf(
        envWith({
          SEALPOST_MASTER_KEY: newKey().toString('base64'),
          SEALPOST_PREVIOUS_MASTER_KEYS: `${newKey().toString('base64')},short`,
        }),
      );

      expect(error.message).toContain('SEALPOST_PREVIOUS_MASTER_KEYS must be 32 random bytes');
    });

    it('requires SEALPOST_MASTER_KEY in production and generates no key file', () => {
      const error = bootErrorOf(envWith({ NODE_ENV: 'production' }));

      expect(error.message).toContain('SEALPOST_MASTER_KEY is required in production');
      expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
    });

    it('reports a missing production key together with the other problems', () => {
      const error = bootErrorOf(envWith({ NODE_ENV: 'production', PORT: 'eighty' }));

      expect(error.message).toContain('SEALPOST_MASTER_KEY is required in production');
      expect(error.message).toContain('PORT must be a whole number');
      expect(error.message.split('\n')).toHaveLength(1);
    });

    it('reports a malformed key together with the other problems', () => {
      const error = bootErrorOf(envWith({ SEALPOST_MASTER_KEY: 'short', PORT: '0' }));

      expect(error.message).toContain('SEALPOST_MASTER_KEY must be 32 random bytes');
      expect(error.message).toContain('PORT must be a whole number');
      expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
    });

    it('accepts SEALPOST_MASTER_KEY in production', () => {
      const key = newKey();

      const { crypto } = loadConfig(
        envWith({ NODE_ENV: 'production', SEALPOST_MASTER_KEY: key.toString('base64') }),
      );

      expect(crypto.masterKey.equals(key)).toBe(true);
    });

    it('generates a key file readable by its owner only in development', () => {
      const { crypto } = loadConfig(envWith({ NODE_ENV: 'development' }));

      const path = join(dataDir, MASTER_KEY_FILE);
      expect(crypto.masterKeySource).toBe('generated-file');
      expect(crypto.masterKey).toHaveLength(32);
      expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toEqual(crypto.masterKey);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });

    it('creates a missing data directory for the key file', () => {
      const nested = join(dataDir, 'a', 'b');

      loadConfig(envWith({ NODE_ENV: 'development', SEALPOST_DATA_DIR: nested }));

      expect(existsSync(join(nested, MASTER_KEY_FILE))).toBe(true);
    });

    it('reuses the generated key file on a second start', () => {
      const first = loadConfig(envWith({ NODE_ENV: 'development' }));
      const second = loadConfig(envWith({ NODE_ENV: 'development' }));

      expect(second.crypto.masterKey.equals(first.crypto.masterKey)).toBe(true);
    });

    it('generates no key file when other settings are wrong', () => {
      bootErrorOf(envWith({ NODE_ENV: 'development', PORT: 'http' }));

      expect(existsSync(join(dataDir, MASTER_KEY_FILE))).toBe(false);
    });
  });
});
