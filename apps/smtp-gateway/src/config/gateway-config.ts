import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { BootError, type Env, type SealpostConfig } from '@sealpost/core';
import { developmentCertificate } from './development-certificate';

export interface GatewayTls {
  keyPem: string;
  certPem: string;
  /** `generated`: a self-signed development certificate; clients must not verify it. */
  source: 'files' | 'generated';
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** The name in the banner, EHLO reply and stamp. */
  name: string;
  tls: GatewayTls;
  /** SIZE: the largest message as received (MIME-encoded), in bytes. */
  maxMessageBytes: number;
  maxRecipients: number;
  maxClients: number;
  /** Off only for hosts that cannot do STARTTLS: then mail (not AUTH) may arrive in clear. */
  requireTls: boolean;
  /**
   * Names this installation in the loop stamp: the same for every gateway process sharing a
   * master key, unguessable to anyone else, and revealing nothing about the key.
   */
  installationId: string;
  /**
   * Load balancers trusted to open each connection with a PROXY protocol header naming the
   * real client (HAProxy's v1/v2); empty: none, the peer address is the client's.
   */
  proxyFrom: string[];
  /** Test hook: hold the reply to DATA after the message is durable (the crash test). */
  holdReplyAfterAccept: boolean;
}

const DEFAULTS = {
  SEALPOST_GATEWAY_HOST: '0.0.0.0',
  // 587 is submission's port; 2587 needs no privileges and says what it is.
  SEALPOST_GATEWAY_PORT: '2587',
  // 25 MiB of content grows by a third in base64, plus headers.
  SEALPOST_GATEWAY_MAX_BYTES: String(35 * 1024 * 1024),
  SEALPOST_GATEWAY_MAX_CLIENTS: '500',
  SEALPOST_GATEWAY_REQUIRE_TLS: 'on',
} as const;

/**
 * The gateway's own settings, read once at boot beside the shared configuration. Every
 * problem is reported in one line, as loadConfig does.
 */
export function loadGatewayConfig(env: Env, shared: SealpostConfig): GatewayConfig {
  const problems: string[] = [];
  const value = (name: keyof typeof DEFAULTS) => (env[name] ?? DEFAULTS[name]).trim();
  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const raw = value(name);
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
  const onOff = (name: string, raw: string): boolean => {
    if (!/^(on|off|true|false)$/i.test(raw)) {
      problems.push(`${name} must be on or off`);
    }
    return /^(on|true)$/i.test(raw);
  };

  const port = integer('SEALPOST_GATEWAY_PORT', 0, 65535);
  const maxMessageBytes = integer('SEALPOST_GATEWAY_MAX_BYTES', 1024, 200 * 1024 * 1024);
  const maxClients = integer('SEALPOST_GATEWAY_MAX_CLIENTS', 1, 100000);
  const requireTls = onOff('SEALPOST_GATEWAY_REQUIRE_TLS', value('SEALPOST_GATEWAY_REQUIRE_TLS'));
  const hold = env.SEALPOST_GATEWAY_TEST_HOLD_REPLY?.trim() ?? 'off';
  const holdReplyAfterAccept = onOff('SEALPOST_GATEWAY_TEST_HOLD_REPLY', hold);
  if (holdReplyAfterAccept && shared.environment !== 'test') {
    problems.push('SEALPOST_GATEWAY_TEST_HOLD_REPLY is a test hook; only NODE_ENV=test allows it');
  }
  const proxyFrom = readProxyFrom(env.SEALPOST_GATEWAY_PROXY_FROM, problems);
  const name = env.SEALPOST_GATEWAY_NAME?.trim() || shared.delivery.ehloName;
  const tls = readTls(env, shared, name, problems);

  if (problems.length || !tls) {
    throw new BootError(
      `configuration error: ${problems.join('; ')}. ` +
        'Fix the environment variable(s) named and start again (see README, SMTP gateway).',
    );
  }
  return {
    host: value('SEALPOST_GATEWAY_HOST'),
    port,
    name,
    tls,
    maxMessageBytes,
    maxRecipients: shared.http.maxRecipients,
    maxClients,
    requireTls,
    installationId: createHmac('sha256', shared.crypto.masterKey)
      .update('sealpost smtp-gateway installation')
      .digest('hex')
      .slice(0, 24),
    proxyFrom,
    holdReplyAfterAccept,
  };
}

/** A comma-separated list of balancer IP addresses; `*` would let any client forge its own. */
function readProxyFrom(raw: string | undefined, problems: string[]): string[] {
  const addresses = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = addresses.filter((address) => isIP(address) === 0);
  if (bad.length) {
    problems.push(
      'SEALPOST_GATEWAY_PROXY_FROM must list the IP addresses of your load balancers, ' +
        'separated by commas (no names, ranges or *)',
    );
  }
  return addresses;
}

function readTls(
  env: Env,
  shared: SealpostConfig,
  name: string,
  problems: string[],
): GatewayTls | undefined {
  const certFile = env.SEALPOST_GATEWAY_TLS_CERT?.trim();
  const keyFile = env.SEALPOST_GATEWAY_TLS_KEY?.trim();
  if (certFile && keyFile) {
    const certPem = readPem(certFile, 'SEALPOST_GATEWAY_TLS_CERT', CERTIFICATE, problems);
    const keyPem = readPem(keyFile, 'SEALPOST_GATEWAY_TLS_KEY', PRIVATE_KEY, problems);
    if (certPem === undefined || keyPem === undefined) {
      return undefined;
    }
    return { certPem, keyPem, source: 'files' };
  }
  if (certFile || keyFile) {
    problems.push('SEALPOST_GATEWAY_TLS_CERT and SEALPOST_GATEWAY_TLS_KEY go together');
    return undefined;
  }
  if (shared.environment === 'production') {
    problems.push(
      'SEALPOST_GATEWAY_TLS_CERT and SEALPOST_GATEWAY_TLS_KEY are required in production ' +
        '(PEM files of the certificate, with its chain, and its private key)',
    );
    return undefined;
  }
  return { ...developmentCertificate(shared.dataDir, name), source: 'generated' };
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function readPem(
  path: string,
  variable: string,
  marker: RegExp,
  problems: string[],
): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${variable} names ${path}, which cannot be read (${code})`);
    return undefined;
  }
  if (!marker.test(text)) {
    problems.push(`${variable} names ${path}, which holds no PEM of the expected kind`);
    return undefined;
  }
  return text;
}
