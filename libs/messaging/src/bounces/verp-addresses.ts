import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { Secret } from 'otpauth';

const LOCAL_PREFIX = 'bounce+';
// 80 bits of HMAC: a guessed token is refused before any lookup, and the local part stays
// within RFC 5321's 64 characters.
const MAC_BYTES = 10;
const ID_BYTES = 16;
// Base32 in lower case: some mail systems fold the case of local parts. 26 bytes: 42 letters.
const TOKEN = /^[a-z2-7]{42}$/;

/**
 * The per-recipient return path (VERP): `bounce+<token>@<bounce domain>`. The token is the
 * recipient's id and an HMAC of it, so a notification names the copy that bounced, carries no
 * address, and cannot be forged to bounce another recipient. The key is derived from the
 * master key for this purpose alone; tokens of a previous master key still verify.
 */
@Injectable()
export class VerpAddresses {
  private readonly keys: Buffer[];
  private readonly domain: string | null;

  constructor(@Inject(SEALPOST_CONFIG) config: SealpostConfig) {
    const { masterKey, previousMasterKeys } = config.crypto;
    this.keys = [masterKey, ...previousMasterKeys].map(deriveVerpKey);
    this.domain = config.delivery.bounceDomain;
  }

  /**
   * The MAIL FROM of one recipient's copy: its return path, or without a bounce domain the
   * sender's own address, so bounces go where they went before VERP.
   */
  envelopeSenderFor(recipientId: string, sender: string): string {
    return this.domain ? this.returnPathFor(recipientId) : sender;
  }

  /** The return path that names one recipient's copy; needs a bounce domain. */
  returnPathFor(recipientId: string): string {
    if (!this.domain) {
      throw new Error('no bounce domain is configured (SEALPOST_BOUNCE_DOMAIN)');
    }
    const id = uuidBytes(recipientId);
    const token = base32(Buffer.concat([id, mac(this.keys[0], id)]));
    return `${LOCAL_PREFIX}${token}@${this.domain}`;
  }

  /** True when the address is in the bounce domain: the gateway should hand it here. */
  isBounceAddress(address: string): boolean {
    const at = address.lastIndexOf('@');
    return this.domain !== null && at > 0 && address.slice(at + 1).toLowerCase() === this.domain;
  }

  /** The recipient id a return path stands for, or null when it is malformed or forged. */
  recipientOf(address: string): string | null {
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at).toLowerCase();
    if (!this.isBounceAddress(address) || !local.startsWith(LOCAL_PREFIX)) {
      return null;
    }
    const token = local.slice(LOCAL_PREFIX.length);
    if (!TOKEN.test(token)) {
      return null;
    }
    const bytes = unbase32(token);
    // Only the canonical spelling counts (the last letter has two spare bits).
    if (base32(bytes) !== token) {
      return null;
    }
    const id = bytes.subarray(0, ID_BYTES);
    const given = bytes.subarray(ID_BYTES, ID_BYTES + MAC_BYTES);
    const valid = this.keys.some((key) => timingSafeEqual(mac(key, id), given));
    return valid ? uuidOf(id) : null;
  }
}

export function deriveVerpKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'sealpost-verp-v1', 32));
}

function mac(key: Buffer, id: Buffer): Buffer {
  return createHmac('sha256', key).update(id).digest().subarray(0, MAC_BYTES);
}

// RFC 4648 base32, through the TOTP library the project already trusts for it.
function base32(bytes: Buffer): string {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return new Secret({ buffer }).base32.toLowerCase();
}

function unbase32(text: string): Buffer {
  return Buffer.from(Secret.fromBase32(text.toUpperCase()).bytes);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidBytes(uuid: string): Buffer {
  if (!UUID.test(uuid)) {
    throw new Error('a return path is made for a recipient id (UUID)');
  }
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function uuidOf(bytes: Buffer): string {
  return bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
