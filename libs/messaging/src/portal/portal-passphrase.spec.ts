import { hashPassphrase, passphraseMatches } from './portal-passphrase';

describe('portal passphrase hashing', () => {
  it('matches the passphrase it hashed and nothing else', async () => {
    const stored = await hashPassphrase('blue heron at noon');

    expect(await passphraseMatches('blue heron at noon', stored)).toBe(true);
    expect(await passphraseMatches('blue heron at noon ', stored)).toBe(false);
    expect(await passphraseMatches('Blue heron at noon', stored)).toBe(false);
    expect(await passphraseMatches('', stored)).toBe(false);
  });

  it('salts each hash, so equal passphrases are stored differently', async () => {
    const [a, b] = await Promise.all([hashPassphrase('same words'), hashPassphrase('same words')]);

    expect(a.equals(b)).toBe(false);
    expect(a.toString('utf8')).not.toContain('same words');
  });

  it('treats a damaged stored value as no match', async () => {
    const stored = await hashPassphrase('blue heron at noon');

    expect(await passphraseMatches('blue heron at noon', stored.subarray(1))).toBe(false);
  });
});
