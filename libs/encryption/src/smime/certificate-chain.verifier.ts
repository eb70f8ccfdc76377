import { type X509Certificate } from 'node:crypto';
import { readX509Fields } from './x509-certificate.reader';

/** Real S/MIME chains are two or three deep; the bound stops loops in a hostile bundle. */
const MAX_CHAIN_DEPTH = 8;

/**
 * Whether `leaf` chains to one of `anchors`, possibly through `intermediates` (untrusted
 * certificates sent along with the leaf). Every certificate of a configured bundle is a
 * trust anchor, as an administrator who adds an intermediate means to trust what it issued.
 * Each issuer must be a CA, valid at `now`, name the child as issued by it (which in
 * OpenSSL also checks key identifiers and keyCertSign) and verify the child's signature.
 */
export function chainsToTrustedCa(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
  now: Date,
): boolean {
  if (anchors.some((anchor) => anchor.fingerprint256 === leaf.fingerprint256)) {
    return true;
  }

  let current = leaf;
  const unused = [...intermediates];
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth += 1) {
    if (anchors.some((anchor) => issued(anchor, current, now))) {
      return true;
    }
    const next = unused.findIndex((candidate) => issued(candidate, current, now));
    if (next < 0) {
      return false;
    }
    current = unused.splice(next, 1)[0];
  }
  return false;
}

function issued(issuer: X509Certificate, child: X509Certificate, now: Date): boolean {
  if (!issuer.ca || !child.checkIssued(issuer) || !child.verify(issuer.publicKey)) {
    return false;
  }
  const { notBefore, notAfter } = readX509Fields(issuer.raw);
  return notBefore <= now && now <= notAfter;
}
