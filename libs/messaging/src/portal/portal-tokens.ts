import {
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';

/** What goes into the link, and the only thing stored about it. */
export interface IssuedLinkToken {
  /** `<token>.<signature>`, both base64url: the last path segment of the link. */
  presented: string;
  tokenHash: Buffer;
}

// 256 bits: a token can neither be guessed nor enumerated.
const TOKEN_BYTES = 32;
// 128 bits of HMAC are plenty to reject forged links before they reach the database.
const SIGNATURE_BYTES = 16;
const PRESENTED_PATTERN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/;
// Eight digits: 10^8 values against at most five guesses per code.
const CODE_DIGITS = 8;

/**
 * The portal's secrets, all derived from the master key (HKDF, one purpose each), so nothing
 * new needs to be configured or stored: link signatures, code hashes, session tokens.
 * Links signed with a previous master key still verify, so a key rotation strands no link.
 */
@Injectable()
export class PortalTokens {
  private readonly linkKeys: Buffer[];
  private readonly codeKey: Buffer;

  constructor(@Inject(SEALPOST_CONFIG) config: SealpostConfig) {
    const { masterKey, previousMasterKeys } = config.crypto;
    this.linkKeys = [masterKey, ...previousMasterKeys].map((key) => derive(key, 'link-v1'));
    this.codeKey = derive(masterKey, 'code-v1');
  }

  newLinkToken(): IssuedLinkToken {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const signature = this.sign(this.linkKeys[0], token).toString('base64url');
    return { presented: `${token}.${signature}`, tokenHash: sha256(token) };
  }

  /** The stored hash of a presented link, or null when it is malformed or not ours. */
  verifyLinkToken(presented: string): Buffer | null {
    const match = PRESENTED_PATTERN.exec(presented);
    if (!match) {
      return null;
    }
    const [, token, signature] = match;
    const given = Buffer.from(signature, 'base64url');
    const valid = this.linkKeys.some((key) => safeEqual(this.sign(key, token), given));
    return valid ? sha256(token) : null;
  }

  newCode(): string {
    return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
  }

  /**
   * Keyed and bound to the link: eight digits are too few for a plain hash to hide them from
   * someone holding a copy of the database.
   */
  hashCode(linkId: string, code: string): Buffer {
    return createHmac('sha256', this.codeKey).update(`${linkId}:${code}`).digest();
  }

  codeMatches(linkId: string, code: string, storedHash: Buffer): boolean {
    return safeEqual(this.hashCode(linkId, code), storedHash);
  }

  newSessionToken(): { token: string; tokenHash: Buffer } {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    return { token, tokenHash: sha256(token) };
  }

  hashSessionToken(token: string): Buffer {
    return sha256(token);
  }

  private sign(key: Buffer, token: string): Buffer {
    return createHmac('sha256', key).update(token).digest().subarray(0, SIGNATURE_BYTES);
  }
}

function derive(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), `sealpost-portal-${purpose}`, 32),
  );
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
