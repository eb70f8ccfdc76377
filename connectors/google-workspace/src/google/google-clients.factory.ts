import { Inject, Injectable } from '@nestjs/common';
import { admin, type admin_directory_v1 } from '@googleapis/admin';
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { JWT } from 'google-auth-library';
import { LRUCache } from 'lru-cache';
import { type GoogleConnection } from '../connections/google-connection';
import { DIRECTORY_SCOPES, GMAIL_SCOPES, GOOGLE_TOKEN_URL } from './google-scopes';

// One JWT client per connection, delegated user and scope set, so a token is reused for its
// hour; a directory of a few thousand mailboxes fits, older entries just fetch a new token.
const MAX_CLIENTS = 5000;

/**
 * gaxios loads node-fetch by a dynamic ESM import unless given a fetch; Node 20's own fetch
 * does the same job without that import (which CommonJS test runners cannot follow).
 */
export const PLATFORM_FETCH = { fetchImplementation: fetch };

/**
 * Admin SDK and Gmail clients acting as a user of the connection's domain (domain-wide
 * delegation: the JWT's `sub`). The API root and the token URL come from configuration so
 * tests can point them at loopback fakes.
 */
@Injectable()
export class GoogleClientsFactory {
  private readonly clients = new LRUCache<string, JWT>({ max: MAX_CLIENTS });

  constructor(@Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig) {}

  /** The Directory API as the connection's admin subject. */
  directory(connection: GoogleConnection): admin_directory_v1.Admin {
    return admin({
      version: 'directory_v1',
      auth: this.jwt(connection, connection.adminSubject, DIRECTORY_SCOPES),
      ...this.root(),
    });
  }

  /** The Gmail API as the mailbox's own user. */
  gmail(connection: GoogleConnection, userAddress: string): gmail_v1.Gmail {
    return gmail({
      version: 'v1',
      auth: this.jwt(connection, userAddress.toLowerCase(), GMAIL_SCOPES),
      ...this.root(),
    });
  }

  /** The token URL as errors name it, so a token refusal is told from an API refusal. */
  get tokenUrl(): string {
    return this.config.googleWorkspace.tokenUrl;
  }

  private root(): { rootUrl?: string } {
    const rootUrl = this.config.googleWorkspace.apiRootUrl;
    return rootUrl ? { rootUrl } : {};
  }

  private jwt(connection: GoogleConnection, subject: string, scopes: string[]): JWT {
    const cacheKey = [connection.id, connection.revision, subject, scopes.join(' ')].join('|');
    const cached = this.clients.get(cacheKey);
    if (cached) {
      return cached;
    }
    const client = new JWT({
      email: connection.key.client_email,
      key: connection.key.private_key,
      keyId: connection.key.private_key_id,
      scopes,
      subject,
      transporterOptions: PLATFORM_FETCH,
    });
    // google-auth-library posts the assertion to Google's fixed token URL (also the
    // assertion's audience); a configured one replaces only where the request goes.
    const tokenUrl = this.config.googleWorkspace.tokenUrl;
    if (tokenUrl !== GOOGLE_TOKEN_URL) {
      client.transporter.interceptors.request.add({
        resolved: (options) => {
          if (options.url.href === GOOGLE_TOKEN_URL) {
            options.url = new URL(tokenUrl);
          }
          return Promise.resolve(options);
        },
      });
    }
    this.clients.set(cacheKey, client);
    return client;
  }
}
