import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';

/** Whose copy an open or click belongs to. */
export interface TrackedCopy {
  organisationId: string;
  messageId: string;
  recipientId: string;
}

export type TrackedOpen = TrackedCopy & { kind: 'open' };
/** `link` is the link's position among the tracked links of the HTML part. */
export type TrackedClick = TrackedCopy & { kind: 'click'; link: number; url: string };
export type TrackedEngagement = TrackedOpen | TrackedClick;

const VERSION = 1;
const KIND_BYTE = { open: 1, click: 2 } as const;
// 128 bits of HMAC: a forged or altered token is refused before any lookup.
const MAC_BYTES = 16;
// Ids, kind and link index: 1 + 1 + 3 x 16 + 2 bytes.
const HEADER_BYTES = 52;
/** Longer links stay as they are: a URL in a token this long would break some mail clients. */
export const MAX_TRACKED_URL_BYTES = 2000;
const TOKEN = /^([A-Za-z0-9_-]{70,2800})\.([A-Za-z0-9_-]{22})$/;

/**
 * Signed open and click tokens. The payload (organisation, message, recipient, and for a
 * click the link index and URL) travels in the token, so delivery stores nothing per link;
 * the HMAC key is derived from the master key for this purpose alone (HKDF, apart from the
 * portal's). Tokens signed with a previous master key still verify after a rotation.
 */
@Injectable()
export class TrackingTokens {
  private readonly keys: Buffer[];

  constructor(@Inject(SEALPOST_CONFIG) config: SealpostConfig) {
    const { masterKey, previousMasterKeys } = config.crypto;
    this.keys = [masterKey, ...previousMasterKeys].map(deriveTrackingKey);
  }

  sign(engagement: TrackedEngagement): string {
    const payload = encode(engagement);
    return `${payload.toString('base64url')}.${mac(this.keys[0], payload).toString('base64url')}`;
  }

  /** The engagement a token stands for, or null when it is malformed, altered or not ours. */
  verify(token: string): TrackedEngagement | null {
    const match = TOKEN.exec(token);
    if (!match) {
      return null;
    }
    const payload = Buffer.from(match[1], 'base64url');
    const given = Buffer.from(match[2], 'base64url');
    // base64url leaves spare bits in a last character: only the canonical spelling counts,
    // so one token has exactly one text.
    if (payload.toString('base64url') !== match[1] || given.toString('base64url') !== match[2]) {
      return null;
    }
    const valid = this.keys.some((key) => safeEqual(mac(key, payload), given));
    return valid ? decode(payload) : null;
  }
}

export function deriveTrackingKey(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'sealpost-tracking-token-v1', 32),
  );
}

function encode(engagement: TrackedEngagement): Buffer {
  const url = engagement.kind === 'click' ? Buffer.from(engagement.url, 'utf8') : Buffer.alloc(0);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(VERSION, 0);
  header.writeUInt8(KIND_BYTE[engagement.kind], 1);
  uuidBytes(engagement.organisationId).copy(header, 2);
  uuidBytes(engagement.messageId).copy(header, 18);
  uuidBytes(engagement.recipientId).copy(header, 34);
  header.writeUInt16BE(engagement.kind === 'click' ? engagement.link : 0, 50);
  return Buffer.concat([header, url]);
}

function decode(payload: Buffer): TrackedEngagement | null {
  if (payload.length < HEADER_BYTES || payload.readUInt8(0) !== VERSION) {
    return null;
  }
  const copy: TrackedCopy = {
    organisationId: uuidOf(payload.subarray(2, 18)),
    messageId: uuidOf(payload.subarray(18, 34)),
    recipientId: uuidOf(payload.subarray(34, 50)),
  };
  const kind = payload.readUInt8(1);
  if (kind === KIND_BYTE.open && payload.length === HEADER_BYTES) {
    return { ...copy, kind: 'open' };
  }
  if (kind === KIND_BYTE.click && payload.length > HEADER_BYTES) {
    const url = payload.subarray(HEADER_BYTES).toString('utf8');
    return { ...copy, kind: 'click', link: payload.readUInt16BE(50), url };
  }
  return null;
}

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) {
    throw new Error('tracking ids must be UUIDs');
  }
  return Buffer.from(hex, 'hex');
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
