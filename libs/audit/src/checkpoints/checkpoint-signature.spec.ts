import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  checkpointMessage,
  checkpointSignatureValid,
  privateKeyFromSeed,
  rawPublicKeyOf,
  seedOf,
  signCheckpoint,
} from './checkpoint-signature';

const facts = {
  organisationId: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890',
  sequence: 1000,
  hash: createHash('sha256').update('head').digest(),
  signedAt: new Date('2026-03-01T10:00:00.000Z'),
};

describe('checkpoint signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKeyOf(privateKey);

  it('signs the documented lines', () => {
    expect(checkpointMessage(facts).toString('utf8')).toBe(
      `sealpost-audit-checkpoint-v1\n${facts.organisationId}\n1000\n` +
        `${facts.hash.toString('hex')}\n2026-03-01T10:00:00.000Z`,
    );
  });

  it('verifies with the raw public key, which is the JWK x of the same key', () => {
    const signature = signCheckpoint(privateKey, facts);

    expect(raw.toString('base64url')).toBe(publicKey.export({ format: 'jwk' }).x);
    expect(checkpointSignatureValid(raw, facts, signature)).toBe(true);
  });

  it.each([
    ['sequence', { ...facts, sequence: 999 }],
    ['hash', { ...facts, hash: Buffer.alloc(32) }],
    ['time', { ...facts, signedAt: new Date('2026-03-01T10:00:00.001Z') }],
    ['organisation', { ...facts, organisationId: '00000000-0000-4000-8000-000000000000' }],
  ])('fails when the %s differs from what was signed', (_field, changed) => {
    const signature = signCheckpoint(privateKey, facts);

    expect(checkpointSignatureValid(raw, changed, signature)).toBe(false);
  });

  it('fails with another key, and with a malformed signature', () => {
    const other = rawPublicKeyOf(generateKeyPairSync('ed25519').privateKey);
    const signature = signCheckpoint(privateKey, facts);

    expect(checkpointSignatureValid(other, facts, signature)).toBe(false);
    expect(checkpointSignatureValid(raw, facts, Buffer.from('short'))).toBe(false);
  });

  it('rebuilds the same private key from its 32-byte seed', () => {
    const seed = seedOf(privateKey);
    const rebuilt = privateKeyFromSeed(seed);

    expect(seed).toHaveLength(32);
    expect(rawPublicKeyOf(rebuilt).equals(raw)).toBe(true);
  });
});
