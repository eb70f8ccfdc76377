/** The z-base-32 alphabet (Zooko O'Whielacronx, 2002), as the WKD draft uses it. */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/**
 * Encodes bytes in z-base-32: five bits per character, most significant first, the last
 * group padded with zero bits and no padding characters. WKD only ever encodes a 20-byte
 * SHA-1 digest (32 characters), so this covers exactly what it needs.
 */
export function zBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      output += ALPHABET[(buffer >> bits) & 31];
    }
    // Only the unread low bits matter; dropping the rest keeps `buffer` small.
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) {
    output += ALPHABET[(buffer << (5 - bits)) & 31];
  }
  return output;
}
