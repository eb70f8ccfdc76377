import { createHash, randomBytes } from 'node:crypto';

/** An invitation to set a password and TOTP; shown once, stored only as a hash. */
export const INVITE_PREFIX = 'spi_';
/** A signed-in session's bearer token; shown once, stored only as a hash. */
export const SESSION_PREFIX = 'sps_';
/** A person's Outlook add-in token; shown once, stored only as a hash. */
export const ADDIN_TOKEN_PREFIX = 'spa_';

export function newToken(prefix: string): { token: string; hash: Buffer } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
