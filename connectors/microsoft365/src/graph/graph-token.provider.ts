import { Inject, Injectable } from '@nestjs/common';
import { Clock, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { type M365Connection } from '../connections/m365-connection';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { M365ConnectorError, M365Failure } from '../m365-connector-error';
import { signClientAssertion } from './client-assertion';
import { httpsRequest } from './https-request';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

// Refresh five minutes early, so a token never expires between the check and Graph's answer.
const EARLY_REFRESH_MS = 5 * 60 * 1000;

interface CachedToken {
  revision: string;
  accessToken: string;
  refreshAt: number;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
}

/**
 * App-only tokens by the OAuth 2.0 client credentials grant, with a client secret or a
 * certificate assertion. One token per organisation, cached until shortly before it expires;
 * an edited connection (new revision) gets a new one.
 */
@Injectable()
export class GraphTokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly connections: M365ConnectionsService,
    private readonly clock: Clock,
  ) {}

  tokenEndpoint(tenantId: string): string {
    return `${this.config.microsoft365.loginUrl}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  }

  async accessToken(connection: M365Connection): Promise<string> {
    const cached = this.cache.get(connection.organisationId);
    if (
      cached &&
      cached.revision === connection.revision &&
      cached.refreshAt > this.clock.now().getTime()
    ) {
      return cached.accessToken;
    }
    // Concurrent callers share one request instead of each asking Entra.
    const key = `${connection.organisationId}:${connection.revision}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(connection).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  forget(organisationId: string): void {
    this.cache.delete(organisationId);
  }

  private async fetchToken(connection: M365Connection): Promise<string> {
    const endpoint = this.tokenEndpoint(connection.tenantId);
    const form = new URLSearchParams({
      client_id: connection.clientId,
      scope: GRAPH_SCOPE,
      grant_type: 'client_credentials',
    });
    if (connection.credential.kind === 'secret') {
      form.set('client_secret', connection.credential.clientSecret);
    } else {
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set(
        'client_assertion',
        await signClientAssertion(
          connection.credential.privateKeyPem,
          connection.credential.certificatePem,
          connection.clientId,
          endpoint,
          this.clock.now(),
        ),
      );
    }

    let response: Response;
    try {
      response = await httpsRequest(
        endpoint,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        this.config.delivery.extraCaPem,
      );
    } catch {
      const failure = new M365ConnectorError(M365Failure.Unreachable, 'token endpoint: no answer');
      await this.connections.recordToken(connection.organisationId, false, failure.message);
      throw failure;
    }
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (!response.ok || typeof body.access_token !== 'string') {
      // The OAuth error code (invalid_client, unauthorized_client) names the fault; the
      // description can quote ids and is left out.
      const code = typeof body.error === 'string' ? body.error.slice(0, 60) : 'no token';
      const failure = new M365ConnectorError(
        response.status >= 500 ? M365Failure.Unreachable : M365Failure.AuthRefused,
        `token endpoint answered ${response.status} (${code})`,
        response.status,
      );
      await this.connections.recordToken(connection.organisationId, false, failure.message);
      throw failure;
    }

    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3599) * 1000;
    this.cache.set(connection.organisationId, {
      revision: connection.revision,
      accessToken: body.access_token,
      refreshAt: this.clock.now().getTime() + lifetimeMs - EARLY_REFRESH_MS,
    });
    await this.connections.recordToken(connection.organisationId, true);
    return body.access_token;
  }
}
