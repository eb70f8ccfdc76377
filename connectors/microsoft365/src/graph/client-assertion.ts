import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';

// Entra accepts assertions valid for up to ten minutes; one covers a single token request.
const ASSERTION_LIFETIME_SECONDS = 60;

/**
 * The client assertion of the Microsoft identity platform's certificate credential: an RS256
 * JWT naming the certificate by its SHA-256 thumbprint (`x5t#S256`), and by the SHA-1 one
 * (`x5t`) for tenants and older endpoints that still look there.
 */
export function signClientAssertion(
  privateKeyPem: string,
  certificatePem: string,
  clientId: string,
  tokenEndpoint: string,
  now: Date,
): Promise<string> {
  const der = new X509Certificate(certificatePem).raw;
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
      x5t: createHash('sha1').update(der).digest('base64url'),
    })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setJti(randomUUID())
    .setNotBefore(issuedAt)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(createPrivateKey(privateKeyPem));
}
