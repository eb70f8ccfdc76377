import { randomBytes } from 'node:crypto';
import { type SealpostConfig } from '@sealpost/core';
import { PortalTokens } from './portal-tokens';

function tokensWith(masterKey: Buffer, previousMasterKeys: Buffer[] = []): PortalTokens {
  const config = { crypto: { masterKey, previousMasterKeys } } as unknown as SealpostConfig;
  return new PortalTokens(config);
}

describe('PortalTokens', () => {
  const key = randomBytes(32);
  const tokens = tokensWith(key);

  it('verifies a link it issued and gives the hash it stored', () => {
    const issued = tokens.newLinkToken();

    expect(issued.presented).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    expect(tokens.verifyLinkToken(issued.presented)).toEqual(issued.tokenHash);
  });

  it('stores a hash, never the token itself', () => {
    const issued = tokens.newLinkToken();
    const token = issued.presented.split('.')[0];

    expect(issued.tokenHash.toString('base64url')).not.toContain(token);
    expect(issued.tokenHash).toHaveLength(32);
  });

  it('refuses an altered token, an altered signature and a malformed link', () => {
    const [token, signature] = tokens.newLinkToken().presented.split('.');
    const other = tokens.newLinkToken().presented.split('.');

    expect(tokens.verifyLinkToken(`${other[0]}.${signature}`)).toBeNull();
    expect(tokens.verifyLinkToken(`${token}.${other[1]}`)).toBeNull();
    expect(tokens.verifyLinkToken(token)).toBeNull();
    expect(tokens.verifyLinkToken(`${token}.${signature}x`)).toBeNull();
    expect(tokens.verifyLinkToken('')).toBeNull();
  });

  it('refuses a link signed by another install, and keeps links across a key rotation', () => {
    const foreign = tokensWith(randomBytes(32)).newLinkToken();
    const beforeRotation = tokens.newLinkToken();
    const rotated = tokensWith(randomBytes(32), [key]);

    expect(tokens.verifyLinkToken(foreign.presented)).toBeNull();
    expect(rotated.verifyLinkToken(beforeRotation.presented)).toEqual(beforeRotation.tokenHash);
  });

  it('makes eight-digit codes whose hash is bound to one link', () => {
    const code = tokens.newCode();
    const hash = tokens.hashCode('link-a', code);

    expect(code).toMatch(/^\d{8}$/);
    expect(tokens.codeMatches('link-a', code, hash)).toBe(true);
    expect(tokens.codeMatches('link-b', code, hash)).toBe(false);
    expect(tokens.codeMatches('link-a', code === '00000000' ? '1' : '00000000', hash)).toBe(false);
    expect(tokensWith(randomBytes(32)).codeMatches('link-a', code, hash)).toBe(false);
  });
});
