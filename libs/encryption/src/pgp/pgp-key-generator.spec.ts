import { randomUUID } from 'node:crypto';
import { decrypt, readKey, readMessage, readPrivateKey } from 'openpgp';
import { generateOrganisationKey, type OrganisationKeyKind } from './pgp-key-generator';
import { GnupgHome } from './testing/gnupg-home';

/** `gpg --with-colons` fields: 1 record type, 3 key length, 4 algorithm, 17 curve name. */
function keyRecords(colons: string): string[][] {
  return colons
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields[0] === 'pub' || fields[0] === 'sub');
}

describe('generateOrganisationKey', () => {
  let home: GnupgHome;

  beforeEach(async () => {
    home = await GnupgHome.create();
  });

  afterEach(async () => {
    await home.dispose();
  });

  const cases: Array<[OrganisationKeyKind, string[][]]> = [
    [
      'curve25519-legacy',
      [
        ['pub', '255', '22', 'ed25519'],
        ['sub', '255', '18', 'cv25519'],
      ],
    ],
    [
      'rsa3072',
      [
        ['pub', '3072', '1', ''],
        ['sub', '3072', '1', ''],
      ],
    ],
    [
      'rsa4096',
      [
        ['pub', '4096', '1', ''],
        ['sub', '4096', '1', ''],
      ],
    ],
  ];

  it.each(cases)('makes a %s v4 key that GnuPG 2.2 imports as expected', async (kind, expected) => {
    const email = `org-${randomUUID().slice(0, 8)}@clinic.example`;

    const key = await generateOrganisationKey('Clinic', email, kind);
    await home.importKey(key.publicArmored);
    const records = keyRecords(await home.listKeys());

    expect((await readKey({ armoredKey: key.publicArmored })).keyPacket.version).toBe(4);
    expect(records.map((fields) => [fields[0], fields[2], fields[3], fields[16]])).toEqual(
      expected,
    );
    expect(records[0][4]).toBe(key.fingerprint.slice(-16));
  });

  it('makes a key GnuPG can encrypt to and whose private half decrypts the result', async () => {
    const key = await generateOrganisationKey(
      'Clinic',
      'archive@clinic.example',
      'curve25519-legacy',
    );
    await home.importKey(key.publicArmored);

    const armored = await home.encryptTo(key.fingerprint, 'archived copy');
    const { data } = await decrypt({
      message: await readMessage({ armoredMessage: armored }),
      decryptionKeys: await readPrivateKey({ armoredKey: key.privateArmored }),
    });

    expect(data).toBe('archived copy');
  });

  it('returns an unprotected private key and a revocation certificate', async () => {
    const key = await generateOrganisationKey(
      'Clinic',
      'noreply@clinic.example',
      'curve25519-legacy',
    );

    const privateKey = await readPrivateKey({ armoredKey: key.privateArmored });

    expect(privateKey.isDecrypted()).toBe(true);
    expect(privateKey.getFingerprint().toUpperCase()).toBe(key.fingerprint);
    expect(key.revocationCertificate).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
  });
});
