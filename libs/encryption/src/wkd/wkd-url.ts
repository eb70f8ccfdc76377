import { createHash } from 'node:crypto';
import { zBase32 } from './z-base-32';

export interface WkdUrls {
  /** `https://openpgpkey.<domain>/.well-known/openpgpkey/<domain>/hu/<hash>?l=<local>` */
  advanced: URL;
  /** `https://<domain>/.well-known/openpgpkey/hu/<hash>?l=<local>` */
  direct: URL;
}

/**
 * Where a Web Key Directory publishes the key of `address` (draft-koch-openpgp-webkey-service
 * section 3.1): the SHA-1 of the lower-cased local part in z-base-32, and the local part as
 * written in `l`, for servers that keep keys by their exact name.
 */
export function wkdUrls(address: string): WkdUrls {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) {
    throw new Error('a WKD lookup needs an address with a local part and a domain');
  }
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const hash = zBase32(createHash('sha1').update(local.toLowerCase(), 'utf8').digest());
  const query = `?l=${encodeURIComponent(local)}`;
  return {
    advanced: new URL(
      `https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}${query}`,
    ),
    direct: new URL(`https://${domain}/.well-known/openpgpkey/hu/${hash}${query}`),
  };
}
