import { randomBytes, randomUUID } from 'node:crypto';
import { testConfig } from '../testing/messaging-test-kit';
import { VerpAddresses } from './verp-addresses';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/unused';

function verpWith(env: Record<string, string> = {}): VerpAddresses {
  return new VerpAddresses(
    testConfig(DATABASE_URL, { SEALPOST_BOUNCE_DOMAIN: 'bounces.sealpost.test', ...env }),
  );
}

describe('VerpAddresses', () => {
  const masterKey = randomBytes(32).toString('base64');
  const verp = verpWith({ SEALPOST_MASTER_KEY: masterKey });

  it('gives each recipient a return path in the bounce domain that names it back', () => {
    const recipientId = randomUUID();

    const returnPath = verp.returnPathFor(recipientId);

    expect(returnPath).toMatch(/^bounce\+[a-z2-7]{42}@bounces\.sealpost\.test$/);
    expect(returnPath.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(verp.recipientOf(returnPath)).toBe(recipientId);
    expect(verp.returnPathFor(randomUUID())).not.toBe(returnPath);
  });

  it('reads a return path whose case a mail system folded', () => {
    const recipientId = randomUUID();

    expect(verp.recipientOf(verp.returnPathFor(recipientId).toUpperCase())).toBe(recipientId);
  });

  it('refuses a token with one letter changed', () => {
    const returnPath = verp.returnPathFor(randomUUID());
    const at = returnPath.indexOf('@');
    const letter = returnPath[at - 5] === 'a' ? 'b' : 'a';
    const altered = `${returnPath.slice(0, at - 5)}${letter}${returnPath.slice(at - 4)}`;

    expect(verp.recipientOf(altered)).toBeNull();
  });

  it("refuses another recipient's id under a token made for a different one", () => {
    const returnPath = verp.returnPathFor(randomUUID());
    const forged = verpWith().returnPathFor(randomUUID());
    const spliced = `${forged.slice(0, 33)}${returnPath.slice(33)}`;

    expect(verp.recipientOf(forged)).toBeNull();
    expect(verp.recipientOf(spliced)).toBeNull();
  });

  it('still reads return paths made before a master key rotation', () => {
    const recipientId = randomUUID();
    const before = verp.returnPathFor(recipientId);
    const rotated = verpWith({
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_PREVIOUS_MASTER_KEYS: masterKey,
    });

    expect(rotated.recipientOf(before)).toBe(recipientId);
  });

  it.each([
    ['another domain', (path: string) => path.replace('bounces.sealpost.test', 'evil.test')],
    ['another prefix', (path: string) => path.replace('bounce+', 'return+')],
    ['a short token', (path: string) => path.replace(/\+[a-z2-7]/, '+')],
    ['no local part', () => '@bounces.sealpost.test'],
    ['postmaster', () => 'postmaster@bounces.sealpost.test'],
  ])('refuses %s', (_case, spoil) => {
    expect(verp.recipientOf(spoil(verp.returnPathFor(randomUUID())))).toBeNull();
  });

  it('names the copy in its envelope sender, in place of the sender address', () => {
    const recipientId = randomUUID();

    const sender = verp.envelopeSenderFor(recipientId, 'clinic@north.example');

    expect(verp.recipientOf(sender)).toBe(recipientId);
  });

  it('keeps the sender address, and reads no return path, without a bounce domain', () => {
    const bare = new VerpAddresses(testConfig(DATABASE_URL, { SEALPOST_EHLO_NAME: 'vm' }));
    const returnPath = verp.returnPathFor(randomUUID());

    expect(bare.envelopeSenderFor(randomUUID(), 'clinic@north.example')).toBe(
      'clinic@north.example',
    );
    expect(bare.recipientOf(returnPath)).toBeNull();
    expect(() => bare.returnPathFor(randomUUID())).toThrow('no bounce domain');
  });

  it('tells bounce-domain addresses apart, whatever their case', () => {
    expect(verp.isBounceAddress('anything@Bounces.Sealpost.TEST')).toBe(true);
    expect(verp.isBounceAddress('jane@patients.example')).toBe(false);
  });
});
