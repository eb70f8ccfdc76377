import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, SEALPOST_CONFIG, type SealpostConfig, SealpostError } from '@sealpost/core';
import { OAuth2Client } from 'google-auth-library';
import { type GoogleConnection } from '../connections/google-connection';
import { hashPushToken } from '../connections/google-connections.service';
import { PLATFORM_FETCH } from '../google/google-clients.factory';

/**
 * Proves a push came from the connection's Pub/Sub subscription: a Google-signed OIDC token
 * (signature against Google's certificates, issuer, expiry, audience, and the push service
 * account when one is configured), or, for `token` connections, the secret in the URL.
 */
@Injectable()
export class PushAuthenticator {
  // One client for the process: it caches Google's certificates as their max-age allows.
  private readonly oauth: OAuth2Client;

  constructor(@Inject(SEALPOST_CONFIG) config: SealpostConfig) {
    this.oauth = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: config.googleWorkspace.certsUrl },
      transporterOptions: PLATFORM_FETCH,
    });
  }

  async verify(
    connection: GoogleConnection,
    authorization: string | undefined,
    token: string | undefined,
  ): Promise<void> {
    if (connection.pushAuth === 'token') {
      return this.verifyToken(connection, token);
    }
    const idToken = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!idToken) {
      throw refused('A Google-signed OIDC token is required in Authorization: Bearer.');
    }
    let payload;
    try {
      // The library's messages quote the token; none of them is passed on.
      const ticket = await this.oauth.verifyIdToken({ idToken, audience: connection.pushAudience });
      payload = ticket.getPayload();
    } catch {
      throw refused('The push token is not valid for this endpoint.');
    }
    if (!payload?.email_verified) {
      throw refused('The push token names no verified service account.');
    }
    if (connection.pushServiceAccount && payload.email !== connection.pushServiceAccount) {
      throw refused('The push token was issued to another service account.');
    }
  }

  private verifyToken(connection: GoogleConnection, token: string | undefined): void {
    const expected = connection.pushTokenHash;
    const given = token ? hashPushToken(token) : null;
    if (!expected || !given || !timingSafeEqual(expected, given)) {
      throw refused('The push token in the endpoint URL is missing or wrong.');
    }
  }
}

function refused(message: string): SealpostError {
  return new SealpostError(ErrorCode.Unauthenticated, message);
}
