import { randomUUID } from 'node:crypto';
import { generateKey } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';
import { VerifiedPgpKeys } from './verified-pgp-keys';

const HOUR_MS = 60 * 60 * 1000;

async function keyFor(address: string, keyExpirationTime = 0): Promise<string> {
  const { publicKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Test Patient', email: address }],
    keyExpirationTime,
    config: { v6Keys: false },
  });
  return publicKey;
}

const address = () => `patient-${randomUUID().slice(0, 8)}@clinic.example`;

describe('VerifiedPgpKeys', () => {
  it('verifies a key once and hands out the same parsed key afterwards', async () => {
    const keys = new VerifiedPgpKeys();
    const armored = await keyFor(address());

    const first = await keys.encryptionKey(armored);
    const second = await keys.encryptionKey(armored);

    expect(second).toBe(first);
  });

  it('checks the address for every owner, even for a key it already verified', async () => {
    const keys = new VerifiedPgpKeys();
    const owner = address();
    const armored = await keyFor(owner);

    const inspected = await keys.inspect(armored, owner);
    const stranger = await keys.inspect(armored, address()).catch((error: unknown) => error);

    expect(inspected.userIds).toEqual([owner]);
    expect(stranger).toBeInstanceOf(PgpKeyError);
    expect((stranger as PgpKeyError).reason).toBe(PgpKeyReason.AddressMismatch);
  });

  it('does not reuse a verdict past the expiry of the key', async () => {
    const keys = new VerifiedPgpKeys();
    const owner = address();
    const armored = await keyFor(owner, 3600);
    const now = new Date();
    await keys.inspect(armored, owner, now);

    const later = new Date(now.getTime() + 2 * HOUR_MS);
    const refused = await keys.inspect(armored, owner, later).catch((error: unknown) => error);
    const refusedKey = await keys.encryptionKey(armored, later).catch((error: unknown) => error);

    expect((refused as PgpKeyError).reason).toBe(PgpKeyReason.Expired);
    expect((refusedKey as PgpKeyError).reason).toBe(PgpKeyReason.Expired);
  });

  it('refuses a malformed key every time instead of remembering it', async () => {
    const keys = new VerifiedPgpKeys();

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await keys.encryptionKey('not a key').catch((caught: unknown) => caught);
      expect((error as PgpKeyError).reason).toBe(PgpKeyReason.Malformed);
    }
  });
});
