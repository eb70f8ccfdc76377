import { randomUUID } from 'node:crypto';
import { httpStatusOf, SealpostError } from '@sealpost/core';
import { armor, enums, generateKey, readKey, readPrivateKey, revokeKey } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';
import { inspectPublicKey } from './pgp-key-inspector';
import { generateOrganisationKey } from './pgp-key-generator';

const DAY_MS = 24 * 60 * 60 * 1000;

function randomAddress(domain = 'clinic.example'): string {
  return `patient-${randomUUID().slice(0, 8)}@${domain}`;
}

async function eccKey(email: string, extra: object = {}) {
  return generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Test Patient', email }],
    config: { v6Keys: false },
    ...extra,
  });
}

async function refusal(promise: Promise<unknown>): Promise<PgpKeyError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PgpKeyError);
  return error as PgpKeyError;
}

describe('inspectPublicKey', () => {
  it('describes a valid v4 Curve25519 (legacy) key', async () => {
    const address = randomAddress();
    const key = await generateOrganisationKey('Test Patient', address, 'curve25519-legacy');

    const inspected = await inspectPublicKey(key.publicArmored, address);

    expect(inspected.fingerprint).toBe(key.fingerprint);
    expect(inspected.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(inspected.keyId).toBe(inspected.fingerprint.slice(-16));
    expect(inspected.version).toBe(4);
    expect(inspected.algorithm).toBe('eddsaLegacy-ed25519Legacy');
    expect(inspected.encryptionAlgorithm).toBe('ecdh-curve25519Legacy');
    expect(inspected.userIds).toEqual([address]);
    expect(inspected.expiresAt).toBeNull();
    expect(inspected.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  });

  it('describes a valid RSA key', async () => {
    const address = randomAddress();
    const key = await generateOrganisationKey('Test Patient', address, 'rsa3072');

    const inspected = await inspectPublicKey(key.publicArmored, address);

    expect(inspected.algorithm).toBe('rsaEncryptSign-3072');
    expect(inspected.encryptionAlgorithm).toBe('rsaEncryptSign-3072');
  });

  it('accepts a v6 key, since recipients choose their own keys', async () => {
    const address = randomAddress();
    const { publicKey } = await generateKey({
      type: 'curve25519',
      userIDs: [{ email: address }],
      config: { v6Keys: true },
    });

    const inspected = await inspectPublicKey(publicKey, address);

    expect(inspected.version).toBe(6);
    expect(inspected.fingerprint).toMatch(/^[0-9A-F]{64}$/);
  });

  it('reports the expiry date of a key that expires later', async () => {
    const address = randomAddress();
    const created = new Date(Date.now() - DAY_MS);
    const { publicKey } = await eccKey(address, { date: created, keyExpirationTime: 30 * 86400 });

    const inspected = await inspectPublicKey(publicKey, address);

    expect(inspected.expiresAt?.getTime()).toBe(
      Math.floor(created.getTime() / 1000) * 1000 + 30 * DAY_MS,
    );
  });

  it('matches the address case-insensitively on the domain only', async () => {
    const address = randomAddress('Clinic.Example');
    const { publicKey } = await eccKey(address);

    await expect(inspectPublicKey(publicKey, address.toLowerCase())).resolves.toBeDefined();

    const [local, domain] = address.split('@');
    const error = await refusal(inspectPublicKey(publicKey, `${local.toUpperCase()}@${domain}`));
    expect(error.reason).toBe(PgpKeyReason.AddressMismatch);
  });

  it('matches any of several user ids', async () => {
    const work = randomAddress('hospital.example');
    const home = randomAddress('mail.example');
    const { publicKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: work }, { email: home }],
    });

    const inspected = await inspectPublicKey(publicKey, home);

    expect(inspected.userIds).toEqual([work, home]);
  });

  it('refuses a key of another address with a 4xx reason that does not name it', async () => {
    const { publicKey } = await eccKey(randomAddress());
    const other = randomAddress();

    const error = await refusal(inspectPublicKey(publicKey, other));

    expect(error.reason).toBe(PgpKeyReason.AddressMismatch);
    expect(error).toBeInstanceOf(SealpostError);
    expect(httpStatusOf(error.code)).toBe(422);
    expect(error.message).not.toContain(other);
  });

  it('refuses a key that expired', async () => {
    const address = randomAddress();
    const { publicKey } = await eccKey(address, {
      date: new Date(Date.now() - 2 * DAY_MS),
      keyExpirationTime: 3600,
    });

    const error = await refusal(inspectPublicKey(publicKey, address));

    expect(error.reason).toBe(PgpKeyReason.Expired);
  });

  it('judges expiry at the given time', async () => {
    const address = randomAddress();
    const { publicKey } = await eccKey(address, { keyExpirationTime: 3600 });

    const error = await refusal(
      inspectPublicKey(publicKey, address, new Date(Date.now() + 2 * 3600 * 1000)),
    );

    expect(error.reason).toBe(PgpKeyReason.Expired);
  });

  it('refuses a revoked key', async () => {
    const address = randomAddress();
    const { privateKey } = await eccKey(address);
    const revoked = await revokeKey({ key: await readPrivateKey({ armoredKey: privateKey }) });

    const error = await refusal(inspectPublicKey(revoked.publicKey, address));

    expect(error.reason).toBe(PgpKeyReason.Revoked);
  });

  it('refuses a sign-only key without an encryption subkey', async () => {
    const address = randomAddress();
    const { publicKey } = await eccKey(address, { subkeys: [] });

    const error = await refusal(inspectPublicKey(publicKey, address));

    expect(error.reason).toBe(PgpKeyReason.NoEncryptionSubkey);
  });

  it('refuses garbage as malformed', async () => {
    const garbage = [
      'not a key at all',
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----',
      '',
    ];

    for (const armored of garbage) {
      const error = await refusal(inspectPublicKey(armored, randomAddress()));
      expect(error.reason).toBe(PgpKeyReason.Malformed);
    }
  });

  it('refuses two keys, in one armored block or in two, as malformed', async () => {
    const address = randomAddress();
    const first = (await eccKey(address)).publicKey;
    const second = (await eccKey(address)).publicKey;
    const [firstKey, secondKey] = await Promise.all(
      [first, second].map((armoredKey) => readKey({ armoredKey })),
    );
    const bytes = new Uint8Array([...firstKey.write(), ...secondKey.write()]);
    const oneBlock = armor(enums.armor.publicKey, bytes);
    const twoBlocks = first + second;

    for (const armored of [oneBlock, twoBlocks]) {
      const error = await refusal(inspectPublicKey(armored, address));
      expect(error.reason).toBe(PgpKeyReason.Malformed);
      expect(error.message).toMatch(/exactly one key/);
    }
  });

  it('refuses a private key and never quotes it', async () => {
    const address = randomAddress();
    const { privateKey } = await eccKey(address);

    const error = await refusal(inspectPublicKey(privateKey, address));

    expect(error.reason).toBe(PgpKeyReason.NotPublic);
    const body = privateKey.split('\n').find((line) => line.length > 40) ?? privateKey;
    expect(error.message).not.toContain(body.slice(0, 20));
  });
});
