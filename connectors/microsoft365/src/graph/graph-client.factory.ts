import {
  AuthenticationHandler,
  Client,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { type M365Connection } from '../connections/m365-connection';
import { GraphTokenProvider } from './graph-token.provider';
import { HttpsTransportMiddleware } from './https-transport.middleware';

// Graph asks clients to wait what Retry-After says on 429/503/504; the library's handler does
// that. Three attempts ride out a throttling burst; past that the job fails and runs again
// later rather than holding a worker for minutes.
const THROTTLE_RETRIES = 3;
const DEFAULT_RETRY_DELAY_SECONDS = 3;

/** A Graph client per call site, authenticated as the organisation's app (client credentials). */
@Injectable()
export class GraphClientFactory {
  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly tokens: GraphTokenProvider,
  ) {}

  /**
   * Asks for the token first, so a refused credential surfaces as the token endpoint's own
   * error (the Graph client would wrap it into an anonymous one).
   */
  async forConnection(connection: M365Connection): Promise<Client> {
    await this.tokens.accessToken(connection);
    const graphUrl = new URL(this.config.microsoft365.graphUrl);
    const auth = new AuthenticationHandler({
      getAccessToken: () => this.tokens.accessToken(connection),
    });
    const retry = new RetryHandler(
      new RetryHandlerOptions(DEFAULT_RETRY_DELAY_SECONDS, THROTTLE_RETRIES),
    );
    auth.setNext(retry);
    retry.setNext(new HttpsTransportMiddleware(this.config.delivery.extraCaPem));
    return Client.initWithMiddleware({
      middleware: auth,
      baseUrl: `${graphUrl.origin}/`,
      defaultVersion: 'v1.0',
      // The library only sends the token to Microsoft's own hosts unless told of others.
      customHosts: new Set([graphUrl.hostname]),
    });
  }
}
