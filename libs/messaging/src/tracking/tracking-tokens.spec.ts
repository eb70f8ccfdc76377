import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { type SealpostConfig } from '@sealpost/core';
import { type TrackedClick, type TrackedOpen, TrackingTokens } from './tracking-tokens';

function tokensWith(masterKey: Buffer, previousMasterKeys: Buffer[] = []): TrackingTokens {
  return new TrackingTokens({ crypto: { masterKey, previousMasterKeys } } as SealpostConfig);
}

function anOpen(): TrackedOpen {
  return {
    kind: 'open',
    organisationId: randomUUID(),
    messageId: randomUUID(),
    recipientId: randomUUID(),
  };
}

function aClick(url = 'https://clinic.example/book?slot=9&who=me'): TrackedClick {
  return { ...anOpen(), kind: 'click', link: 3, url };
}

/** Flips one bit of the character at `index` within the base64url alphabet. */
function alter(token: string, index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const swapped = alphabet[alphabet.indexOf(token[index]) ^ 1];
  return token.slice(0, index) + swapped + token.slice(index + 1);
}

describe('TrackingTokens', () => {
  const key = randomBytes(32);
  const tokens = tokensWith(key);

  it('signs an open and verifies it back to the same copy', () => {
    const open = anOpen();

    expect(tokens.verify(tokens.sign(open))).toEqual(open);
  });

  it('signs a click with its link index and URL, and verifies it back', () => {
    const click = aClick('https://example.test/päth?q=a b&x=1#frag');

    expect(tokens.verify(tokens.sign(click))).toEqual(click);
  });

  it('uses only URL-safe characters', () => {
    expect(tokens.sign(aClick())).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a token with any character of the payload or signature altered', () => {
    const token = tokens.sign(aClick());

    for (const index of [0, 5, 40, 69, token.indexOf('.') - 1, token.length - 1]) {
      expect(tokens.verify(alter(token, index))).toBeNull();
    }
  });

  it('refuses a click whose URL was swapped for another, keeping the signature', () => {
    const token = tokens.sign(aClick('https://clinic.example/a'));
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(payload, 'base64url');
    forged.write('https://evil.example/', forged.length - 'https://clinic.example/a'.length);

    expect(tokens.verify(`${forged.toString('base64url')}.${signature}`)).toBeNull();
  });

  it('refuses a token signed with another master key', () => {
    const other = tokensWith(randomBytes(32));

    expect(tokens.verify(other.sign(anOpen()))).toBeNull();
  });

  it('still verifies a token signed with a previous master key after a rotation', () => {
    const open = anOpen();
    const issued = tokens.sign(open);

    expect(tokensWith(randomBytes(32), [key]).verify(issued)).toEqual(open);
  });

  it('does not accept a signature made with the master key itself or the portal key', () => {
    const payload = Buffer.from(tokens.sign(anOpen()).split('.')[0], 'base64url');
    const portalKey = Buffer.from(
      hkdfSync('sha256', key, Buffer.alloc(0), 'sealpost-portal-link-v1', 32),
    );

    for (const wrongKey of [key, portalKey]) {
      const signature = createHmac('sha256', wrongKey).update(payload).digest().subarray(0, 16);
      const token = `${payload.toString('base64url')}.${signature.toString('base64url')}`;
      expect(tokens.verify(token)).toBeNull();
    }
  });

  it.each(['', 'x', 'a.b', '../../etc/passwd', `${'A'.repeat(3000)}.${'A'.repeat(22)}`])(
    'refuses the malformed token %p',
    (token) => {
      expect(tokens.verify(token)).toBeNull();
    },
  );
});
