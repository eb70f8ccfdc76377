import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** What a checkpoint vouches for: the organisation's chain up to `sequence` ends in `hash`. */
export interface CheckpointFacts {
  organisationId: string;
  sequence: number;
  hash: Buffer;
  signedAt: Date;
}

// DER headers of an Ed25519 SubjectPublicKeyInfo and PKCS#8 key (RFC 8410), before the
// 32 raw key bytes, so raw keys convert without a DER library.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The signed bytes: lines of the form's name, organisation id, sequence in decimal, hash in
 * lowercase hex and the time as ISO 8601 UTC with milliseconds, joined by "\n".
 */
export function checkpointMessage(facts: CheckpointFacts): Buffer {
  return Buffer.from(
    [
      'sealpost-audit-checkpoint-v1',
      facts.organisationId,
      String(facts.sequence),
      facts.hash.toString('hex'),
      facts.signedAt.toISOString(),
    ].join('\n'),
    'utf8',
  );
}

export function signCheckpoint(privateKey: KeyObject, facts: CheckpointFacts): Buffer {
  return sign(null, checkpointMessage(facts), privateKey);
}

export function checkpointSignatureValid(
  rawPublicKey: Buffer,
  facts: CheckpointFacts,
  signature: Buffer,
): boolean {
  try {
    return verify(null, checkpointMessage(facts), publicKeyFromRaw(rawPublicKey), signature);
  } catch {
    return false;
  }
}

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKeyOf(privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(SPKI_PREFIX.length);
}

export function seedOf(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}
