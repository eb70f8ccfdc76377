import { Injectable } from '@nestjs/common';
import Client from 'fhir-kit-client';
import { FhirConnectorError, FhirFailure } from '../fhir-connector-error';
import { SmartTokenProvider } from '../smart/smart-token.provider';
import { type FhirConnection } from './fhir-connection';

/**
 * A fhir-kit-client for a connection, carrying the bearer its auth mode calls for. Clients are
 * kept per connection and token: each one has its own keep-alive agent, so a client per write
 * would open a connection per write and leave its idle sockets behind.
 */
@Injectable()
export class FhirClientFactory {
  private readonly clients = new Map<string, { key: string; client: Client }>();

  constructor(private readonly smart: SmartTokenProvider) {}

  /** Without credentials: for /metadata, which servers answer to anyone. */
  anonymous(connection: FhirConnection): Client {
    return new Client({ baseUrl: connection.baseUrl });
  }

  async authorised(connection: FhirConnection): Promise<Client> {
    const token = await this.accessToken(connection);
    const key = `${connection.revision}\n${token}`;
    const kept = this.clients.get(connection.id);
    if (kept?.key === key) {
      return kept.client;
    }
    const client = new Client({
      baseUrl: connection.baseUrl,
      customHeaders: { authorization: `Bearer ${token}` },
    });
    this.clients.set(connection.id, { key, client });
    return client;
  }

  /** The server refused our token: the next client asks for a fresh one. */
  refused(connection: FhirConnection): void {
    this.smart.forget(connection.id);
    this.clients.delete(connection.id);
  }

  private async accessToken(connection: FhirConnection): Promise<string> {
    switch (connection.authMode) {
      case 'bearer':
        if (!connection.bearerToken) {
          throw new FhirConnectorError(FhirFailure.NotConfigured, 'No bearer token is set.');
        }
        return connection.bearerToken;
      case 'smart-backend':
        if (!connection.clientId) {
          throw new FhirConnectorError(FhirFailure.NotConfigured, 'No SMART client id is set.');
        }
        return this.smart.accessToken({
          connectionId: connection.id,
          organisationId: connection.organisationId,
          baseUrl: connection.baseUrl,
          clientId: connection.clientId,
          scope: connection.scope,
          revision: connection.revision,
        });
    }
  }
}
