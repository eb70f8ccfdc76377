import { OAuth2Client, type TokenPayload } from 'google-auth-library';

// Google signs ID tokens with keys it rotates about daily and publishes with a max-age; an
// hour bounds how long a withdrawn key could still be trusted when no max-age is given.
const DEFAULT_CERTS_MS = 3600_000;
const ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/** Why a token was refused; for logs and tests, never shown with the token itself. */
export class InvalidGoogleToken extends Error {}

/**
 * Verifies Google-signed ID tokens (RS256, issuer Google, audience, expiry) against the
 * certificates Google publishes at `certsUrl` (PEM by key id), fetched and cached here so that
 * tests can serve their own from a loopback URL.
 */
export class GoogleIdTokenVerifier {
  private certs: { pems: Record<string, string>; until: number } | null = null;
  private readonly client = new OAuth2Client();

  constructor(
    private readonly certsUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string, audience: string): Promise<TokenPayload> {
    if (!token) {
      throw new InvalidGoogleToken('no token');
    }
    const pems = await this.currentCerts();
    try {
      const ticket = await this.client.verifySignedJwtWithCertsAsync(
        token,
        pems,
        audience,
        ISSUERS,
      );
      const payload = ticket.getPayload();
      if (!payload) {
        throw new InvalidGoogleToken('no payload');
      }
      return payload;
    } catch (error) {
      throw error instanceof InvalidGoogleToken
        ? error
        : new InvalidGoogleToken((error as Error).message.split(':')[0]);
    }
  }

  private async currentCerts(): Promise<Record<string, string>> {
    if (this.certs && this.certs.until > this.now()) {
      return this.certs.pems;
    }
    const response = await fetch(this.certsUrl);
    if (!response.ok) {
      throw new InvalidGoogleToken(`certificates answered ${response.status}`);
    }
    const pems = (await response.json()) as Record<string, string>;
    const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '');
    const ttl = maxAge ? Number(maxAge[1]) * 1000 : DEFAULT_CERTS_MS;
    this.certs = { pems, until: this.now() + ttl };
    return pems;
  }
}
