import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PATTERN = /^sp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyToken {
  prefix: string;
  secret: string;
  token: string;
}

/** A new token: `sp_<prefix>_<secret>`, 32 random bytes of secret. */
export function newApiKeyToken(): ApiKeyToken {
  const prefix = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secret, token: `sp_${prefix}_${secret}` };
}

export function parseApiKeyToken(token: string): { prefix: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { prefix: match[1], secret: match[2] } : null;
}

/**
 * SHA-256 suffices here: the secret is 256 random bits, so a slow password hash would add
 * cost to every request without adding protection.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
