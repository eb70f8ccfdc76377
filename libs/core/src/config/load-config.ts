import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { BootError } from '../boot/boot-error';
import type { CryptoConfig, Environment, SealpostConfig, TransportRoute } from './config.types';
import {
  EnvValueError,
  parseInteger,
  parseDomain,
  parseMasterKey,
  parseRelay,
  parseSwitch,
  parseTransportMap,
  parseUrl,
  readCaFile,
} from './env-parsers';
import { readOrCreateMasterKeyFile } from './master-key-file';

export type Env = Record<string, string | undefined>;

const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sealpost',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PORT: '3000',
  SEALPOST_DATA_DIR: '.sealpost',
  SEALPOST_QUEUE_PREFIX: 'sealpost',
  // 25 MiB: the common ceiling of large mail providers for one message.
  SEALPOST_MAX_MESSAGE_BYTES: String(25 * 1024 * 1024),
  SEALPOST_MAX_RECIPIENTS: '100',
  SEALPOST_RETRY_BASE_SECONDS: '60',
  SEALPOST_RETRY_MAX_DELAY_SECONDS: '3600',
  // Three days, within the range RFC 5321 section 4.5.4.1 suggests (4-5 days at most).
  SEALPOST_BOUNCE_AFTER_SECONDS: String(3 * 24 * 3600),
  SEALPOST_DELIVERY_LEASE_SECONDS: '120',
  SEALPOST_WORKER_CONCURRENCY: '32',
  SEALPOST_CONNECTIONS_PER_ROUTE: '8',
  SEALPOST_CONNECT_TIMEOUT_MS: '15000',
  // Off: a lookup tells the recipient's domain that mail is on its way to that address.
  SEALPOST_WKD_LOOKUP: 'off',
  // Delivery waits on the lookup; a directory slower than this is treated as absent.
  SEALPOST_WKD_TIMEOUT_MS: '5000',
  SEALPOST_LOG_LEVEL: 'info',
  // 30 days: long enough for a patient to open mail after a holiday, short enough to bound a
  // forwarded link's life.
  SEALPOST_PORTAL_LINK_DAYS: '30',
  // A person mistypes a few codes; a guesser needs thousands. 30 leaves room for a clinic
  // behind one NAT address.
  SEALPOST_PORTAL_IP_LIMIT: '30',
  // A checkpoint per 1,000 records bounds what an undetected tail truncation can hide in a
  // busy organisation; the hourly one does the same for a quiet one.
  SEALPOST_AUDIT_CHECKPOINT_EVERY: '1000',
  SEALPOST_AUDIT_CHECKPOINT_MINUTES: '60',
  SEALPOST_WEBHOOK_ALLOW_PRIVATE: 'off',
  // Receivers should answer at once and work later; ten seconds covers a slow TLS handshake
  // and keeps a hanging receiver from holding a worker slot.
  SEALPOST_WEBHOOK_TIMEOUT_MS: '10000',
  SEALPOST_M365_LOGIN_URL: 'https://login.microsoftonline.com',
  SEALPOST_M365_GRAPH_URL: 'https://graph.microsoft.com',
  SEALPOST_GOOGLE_TOKEN_URL: 'https://oauth2.googleapis.com/token',
  SEALPOST_GOOGLE_CERTS_URL: 'https://www.googleapis.com/oauth2/v1/certs',
} as const;

type Reader = <T>(name: string, parse: (raw: string) => T) => T;

/**
 * Builds the typed configuration from the environment once, at boot. Every problem found is
 * reported, joined on one line, so an operator fixes them all in one go.
 */
export function loadConfig(env: Env = process.env): SealpostConfig {
  const problems: string[] = [];
  const read: Reader = (name, parse) => {
    const raw = env[name] ?? DEFAULTS[name as keyof typeof DEFAULTS];
    try {
      return parse(raw ?? '');
    } catch (error) {
      if (!(error instanceof EnvValueError)) {
        throw error;
      }
      problems.push(`${name} ${error.message}`);
      return undefined as never;
    }
  };
  const optional = <T>(name: string, parse: (raw: string) => T): T | undefined =>
    env[name]?.trim() ? read(name, parse) : undefined;

  const environment = read('NODE_ENV', parseEnvironment);
  const dataDir = resolve(env.SEALPOST_DATA_DIR ?? DEFAULTS.SEALPOST_DATA_DIR);
  const int = (min: number, max: number) => (raw: string) => parseInteger(raw, min, max);

  const ehloName = env.SEALPOST_EHLO_NAME?.trim() || hostname();
  const config: Omit<SealpostConfig, 'crypto'> = {
    environment,
    dataDir,
    database: {
      url: read('DATABASE_URL', (raw) => parseUrl(raw, ['postgres:', 'postgresql:']).href),
    },
    redis: {
      url: read('REDIS_URL', (raw) => parseUrl(raw, ['redis:', 'rediss:']).href),
      queuePrefix: read('SEALPOST_QUEUE_PREFIX', parseQueuePrefix),
    },
    http: {
      port: read('PORT', int(1, 65535)),
      maxMessageBytes: read('SEALPOST_MAX_MESSAGE_BYTES', int(1024, 150 * 1024 * 1024)),
      maxRecipients: read('SEALPOST_MAX_RECIPIENTS', int(1, 10000)),
    },
    delivery: {
      ehloName,
      // The sending host's own name by default: the one name an operator already points at it.
      bounceDomain: optional('SEALPOST_BOUNCE_DOMAIN', parseDomain) ?? qualifiedOrNull(ehloName),
      relay: optional('SEALPOST_SMTP_RELAY', parseRelay),
      transportMap:
        optional('SEALPOST_TRANSPORT_MAP', parseTransportMap) ?? new Map<string, TransportRoute>(),
      extraCaPem: optional('SEALPOST_TLS_CA_FILE', readCaFile) ?? [],
      retryBaseSeconds: read('SEALPOST_RETRY_BASE_SECONDS', int(1, 86400)),
      retryMaxDelaySeconds: read('SEALPOST_RETRY_MAX_DELAY_SECONDS', int(1, 7 * 86400)),
      bounceAfterSeconds: read('SEALPOST_BOUNCE_AFTER_SECONDS', int(1, 30 * 86400)),
      leaseSeconds: read('SEALPOST_DELIVERY_LEASE_SECONDS', int(5, 3600)),
      workerConcurrency: read('SEALPOST_WORKER_CONCURRENCY', int(1, 1000)),
      connectionsPerRoute: read('SEALPOST_CONNECTIONS_PER_ROUTE', int(1, 100)),
      connectTimeoutMs: read('SEALPOST_CONNECT_TIMEOUT_MS', int(100, 300000)),
    },
    encryption: {
      smimeTrustedCaPems: optional('SEALPOST_SMIME_CA_FILE', readCaFile) ?? [],
      wkd: {
        enabled: read('SEALPOST_WKD_LOOKUP', parseSwitch),
        timeoutMs: read('SEALPOST_WKD_TIMEOUT_MS', int(100, 60000)),
      },
    },
    logging: { level: read('SEALPOST_LOG_LEVEL', parseLogLevel) },
    portal: {
      publicUrl: read('SEALPOST_PUBLIC_URL', (raw) =>
        parsePublicUrl(raw || `http://localhost:${env.PORT ?? DEFAULTS.PORT}`),
      ),
      linkDays: read('SEALPOST_PORTAL_LINK_DAYS', int(1, 365)),
      attemptsPerIp: read('SEALPOST_PORTAL_IP_LIMIT', int(1, 100000)),
    },
    audit: {
      checkpointEvery: read('SEALPOST_AUDIT_CHECKPOINT_EVERY', int(1, 1_000_000)),
      checkpointMinutes: read('SEALPOST_AUDIT_CHECKPOINT_MINUTES', int(1, 7 * 24 * 60)),
      signingKeySeed: optional('SEALPOST_AUDIT_SIGNING_KEY', parseMasterKey),
    },
    webhooks: {
      allowPrivateAddresses: read('SEALPOST_WEBHOOK_ALLOW_PRIVATE', parseSwitch),
      timeoutMs: read('SEALPOST_WEBHOOK_TIMEOUT_MS', int(100, 60000)),
    },
    microsoft365: {
      loginUrl: read('SEALPOST_M365_LOGIN_URL', parseServiceRoot),
      graphUrl: read('SEALPOST_M365_GRAPH_URL', parseServiceRoot),
    },
    googleWorkspace: {
      apiRootUrl: optional('SEALPOST_GOOGLE_API_ROOT_URL', parseGoogleRoot) ?? null,
      tokenUrl: read('SEALPOST_GOOGLE_TOKEN_URL', (raw) => parseUrl(raw, HTTP_SCHEMES).href),
      certsUrl: read('SEALPOST_GOOGLE_CERTS_URL', (raw) => parseUrl(raw, HTTP_SCHEMES).href),
    },
    addins: {
      outlookAddinId: optional('SEALPOST_OUTLOOK_ADDIN_ID', parseGuid) ?? null,
      gmailServiceAccount: optional('SEALPOST_GMAIL_ADDON_SERVICE_ACCOUNT', parseEmail) ?? null,
      gmailOauthClientId: optional('SEALPOST_GMAIL_ADDON_CLIENT_ID', (raw) => raw.trim()) ?? null,
    },
  };
  const crypto = readCryptoKeys(env, environment, read, problems);

  if (problems.length || !crypto) {
    throw new BootError(
      `configuration error: ${problems.join('; ')}. ` +
        'Fix the environment variable(s) named and start again (see README, Configuration).',
    );
  }
  return {
    ...config,
    crypto: crypto.masterKey
      ? { ...crypto, masterKey: crypto.masterKey, masterKeySource: 'environment' }
      : {
          ...crypto,
          masterKey: readOrCreateMasterKeyFile(dataDir).key,
          masterKeySource: 'generated-file',
        },
  };
}

/**
 * Checks the key variables with all the others, so every problem shows in one line. The
 * development key file is only read or created once everything else is valid.
 */
function readCryptoKeys(
  env: Env,
  environment: Environment,
  read: Reader,
  problems: string[],
): (Omit<CryptoConfig, 'masterKey' | 'masterKeySource'> & { masterKey?: Buffer }) | undefined {
  const previousMasterKeys = env.SEALPOST_PREVIOUS_MASTER_KEYS?.trim()
    ? read('SEALPOST_PREVIOUS_MASTER_KEYS', (raw) =>
        raw.split(',').filter(Boolean).map(parseMasterKey),
      )
    : [];
  if (env.SEALPOST_MASTER_KEY?.trim()) {
    const masterKey = read('SEALPOST_MASTER_KEY', parseMasterKey);
    return masterKey ? { masterKey, previousMasterKeys } : undefined;
  }
  if (environment === 'production') {
    problems.push(
      'SEALPOST_MASTER_KEY is required in production (generate one with ' +
        '`openssl rand -base64 32` and keep it in your secret store)',
    );
    return undefined;
  }
  return { previousMasterKeys };
}

/** The name when it is fully qualified (a host name like `vm` is not), else null. */
function qualifiedOrNull(name: string): string | null {
  try {
    return parseDomain(name);
  } catch {
    return null;
  }
}

function parseEnvironment(raw: string): Environment {
  const value = raw.trim() || 'development';
  if (value === 'development' || value === 'test' || value === 'production') {
    return value;
  }
  throw new EnvValueError('must be development, test or production');
}

function parseQueuePrefix(raw: string): string {
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(raw)) {
    throw new EnvValueError('must be 1-40 letters, digits, _ or -');
  }
  return raw;
}

function parsePublicUrl(raw: string): string {
  const url = parseUrl(raw.trim(), ['http:', 'https:']);
  if (url.search || url.hash) {
    throw new EnvValueError('must be a base URL without ? or #, e.g. https://mail.example.org');
  }
  return url.href.replace(/\/+$/, '');
}

// Graph's client library only follows https:// links (nextLink, deltaLink), so no http here.
function parseServiceRoot(raw: string): string {
  const url = parseUrl(raw.trim(), ['https:']);
  if (url.search || url.hash || url.pathname !== '/') {
    throw new EnvValueError(
      'must be an https:// origin without a path, e.g. https://graph.microsoft.com',
    );
  }
  return url.origin;
}

// http:// is allowed so tests can point these at loopback fakes.
const HTTP_SCHEMES = ['https:', 'http:'];

/** The googleapis clients join paths onto this root, so it ends with exactly one slash. */
function parseGoogleRoot(raw: string): string {
  const url = parseUrl(raw.trim(), HTTP_SCHEMES);
  if (url.search || url.hash) {
    throw new EnvValueError('must be a base URL without ? or #');
  }
  return url.href.replace(/\/*$/, '/');
}

function parseGuid(raw: string): string {
  const value = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) {
    throw new EnvValueError('must be a GUID like 6f1c2a9e-0b7d-4c1e-9a55-3f2d8e4b7c10');
  }
  return value;
}

function parseEmail(raw: string): string {
  const value = raw.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new EnvValueError('must be an email address');
  }
  return value;
}

function parseLogLevel(raw: string): string {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) {
    throw new EnvValueError(`must be one of ${levels.join(', ')}`);
  }
  return raw;
}
