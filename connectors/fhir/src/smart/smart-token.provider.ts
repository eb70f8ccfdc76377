import { Injectable } from '@nestjs/common';
import { Clock } from '@sealpost/core';
import { FhirConnectorError, FhirFailure } from '../fhir-connector-error';
import { signClientAssertion } from './client-assertion';
import { FhirSigningKeysService } from './fhir-signing-keys.service';

/** What a SMART token request needs to know of a connection. */
export interface SmartClient {
  connectionId: string;
  organisationId: string;
  baseUrl: string;
  clientId: string;
  scope: string;
  /** Changes when the connection is edited, so a cached token of old settings is not used. */
  revision: string;
}

interface CachedToken {
  revision: string;
  accessToken: string;
  expiresAt: number;
}

// A token is renewed this long before it expires, so a request never leaves with a token
// that lapses on its way to the EHR.
const RENEW_BEFORE_MS = 60_000;
// When a server omits expires_in, assume the short lifetime SMART recommends.
const DEFAULT_TOKEN_SECONDS = 300;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * SMART Backend Services: discovers the token endpoint from .well-known/smart-configuration,
 * trades a signed client assertion for an access token, and keeps the token until shortly
 * before it expires. One cache per process; a token is never stored.
 */
@Injectable()
export class SmartTokenProvider {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly endpoints = new Map<string, string>();

  constructor(
    private readonly keys: FhirSigningKeysService,
    private readonly clock: Clock,
  ) {}

  async accessToken(client: SmartClient): Promise<string> {
    const now = this.clock.now().getTime();
    const cached = this.tokens.get(client.connectionId);
    if (cached && cached.revision === client.revision && now < cached.expiresAt - RENEW_BEFORE_MS) {
      return cached.accessToken;
    }
    const token = await this.requestToken(client);
    this.tokens.set(client.connectionId, { revision: client.revision, ...token });
    return token.accessToken;
  }

  /** After the FHIR server refused a token: the next request asks for a new one. */
  forget(connectionId: string): void {
    this.tokens.delete(connectionId);
  }

  private async requestToken(
    client: SmartClient,
  ): Promise<{ accessToken: string; expiresAt: number }> {
    const key = await this.keys.signingKey(client.organisationId);
    if (!key) {
      throw new FhirConnectorError(FhirFailure.NotConfigured, 'No FHIR signing key exists.');
    }
    const tokenEndpoint = await this.tokenEndpoint(client);
    const now = this.clock.now();
    const assertion = await signClientAssertion(key, client.clientId, tokenEndpoint, now);
    const response = await post(tokenEndpoint, {
      grant_type: 'client_credentials',
      scope: client.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    if (response.status >= 400 && response.status < 500) {
      throw new FhirConnectorError(
        FhirFailure.AuthRefused,
        `The token endpoint refused the client assertion (${response.status}).`,
        response.status,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new FhirConnectorError(
        FhirFailure.Unreachable,
        `The token endpoint answered ${response.status} without a token.`,
        response.status,
      );
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { accessToken: body.access_token, expiresAt: now.getTime() + seconds * 1000 };
  }

  private async tokenEndpoint(client: SmartClient): Promise<string> {
    const key = `${client.connectionId}:${client.revision}`;
    const known = this.endpoints.get(key);
    if (known) {
      return known;
    }
    const url = `${client.baseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch(() => null);
    const body = response?.ok
      ? ((await response.json().catch(() => ({}))) as { token_endpoint?: unknown })
      : {};
    if (typeof body.token_endpoint !== 'string') {
      throw new FhirConnectorError(
        FhirFailure.Unreachable,
        'The FHIR server publishes no token endpoint in .well-known/smart-configuration.',
        response?.status,
      );
    }
    this.endpoints.set(key, body.token_endpoint);
    return body.token_endpoint;
  }
}

async function post(url: string, form: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new FhirConnectorError(FhirFailure.Unreachable, 'The token endpoint did not answer.');
  }
}
