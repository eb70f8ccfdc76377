import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type SigningKey } from './fhir-signing-keys.service';

// SMART Backend Services caps an assertion's lifetime at five minutes; one is plenty for a
// single token request and limits what a leaked assertion is worth.
const ASSERTION_LIFETIME_SECONDS = 60;

/** A private_key_jwt client assertion (RFC 7523) as SMART Backend Services asks for it. */
export function signClientAssertion(
  key: SigningKey,
  clientId: string,
  tokenEndpoint: string,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(key.privateKey);
}
