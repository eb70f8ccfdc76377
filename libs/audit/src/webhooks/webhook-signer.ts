import { createHmac, sign } from 'node:crypto';
import {
  ED25519_SECRET_PREFIX,
  ed25519PrivateKey,
  HMAC_SECRET_PREFIX,
  secretBytes,
} from './webhook-secrets';

/** The three headers of Standard Webhooks 1.0. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** What every signature covers: id, unix seconds and the exact body bytes, dot-separated. */
export function signedContent(id: string, timestamp: number, body: string): Buffer {
  return Buffer.from(`${id}.${timestamp}.${body}`, 'utf8');
}

/**
 * Signs with every secret given (the current one first, then one still in its rotation
 * window): `v1,` for a whsec_ secret (HMAC-SHA256), `v1a,` for a whsk_ key (Ed25519), joined
 * by spaces, so a receiver holding either secret verifies.
 */
export function signWebhook(
  id: string,
  timestamp: number,
  body: string,
  secrets: readonly string[],
): WebhookHeaders {
  const content = signedContent(id, timestamp, body);
  const signatures = secrets.map((secret) => {
    if (secret.startsWith(HMAC_SECRET_PREFIX)) {
      const key = secretBytes(secret, HMAC_SECRET_PREFIX);
      return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
    }
    if (secret.startsWith(ED25519_SECRET_PREFIX)) {
      return `v1a,${sign(null, content, ed25519PrivateKey(secret)).toString('base64')}`;
    }
    throw new Error('unknown webhook secret kind');
  });
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
