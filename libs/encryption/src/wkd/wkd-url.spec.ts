import { createHash } from 'node:crypto';
import { wkdUrls } from './wkd-url';
import { zBase32 } from './z-base-32';

describe('zBase32', () => {
  it('encodes the SHA-1 of "joe.doe" as the WKD draft example shows', () => {
    const digest = createHash('sha1').update('joe.doe').digest();

    expect(zBase32(digest)).toBe('iy9q119eutrkn8s1mk4r39qejnbu3n5q');
  });

  it('pads a last partial group with zero bits and adds no padding characters', () => {
    // 0xF0 = 11110 000: 11110 is 30 ('6'); 000 padded to 00000 is 0 ('y').
    expect(zBase32(Uint8Array.of(0xf0))).toBe('6y');
    // 0x00 0x01 = 00000 00000 00000 1(0000): 'y', 'y', 'y', then 10000 = 16 ('o').
    expect(zBase32(Uint8Array.of(0x00, 0x01))).toBe('yyyo');
    expect(zBase32(new Uint8Array())).toBe('');
  });
});

describe('wkdUrls', () => {
  it('builds the advanced and direct URLs of the draft example', () => {
    const urls = wkdUrls('Joe.Doe@Example.ORG');

    expect(urls.advanced.href).toBe(
      'https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/' +
        'iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    );
    expect(urls.direct.href).toBe(
      'https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    );
  });

  it('escapes a local part that is not URL-safe', () => {
    expect(wkdUrls('a+b&c@example.org').direct.search).toBe('?l=a%2Bb%26c');
  });

  it('refuses a string that is not an address', () => {
    expect(() => wkdUrls('example.org')).toThrow(/local part and a domain/);
  });
});
