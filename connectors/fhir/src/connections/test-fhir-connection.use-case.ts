import { Injectable } from '@nestjs/common';
import { fhirFailureOf } from '../fhir-connector-error';
import { capabilitiesOf, type FhirCapabilities } from './fhir-capabilities';
import { FhirClientFactory } from './fhir-client.factory';
import { FhirConnectionsService } from './fhir-connections.service';

export interface FhirConnectionTest {
  /** /metadata answered with a CapabilityStatement. */
  reachable: boolean;
  /** `ok` when a token was obtained (smart-backend) or a bearer is set; else a failure code. */
  auth: string;
  capabilities: FhirCapabilities | null;
  /** A failure code when unreachable; never the server's text. */
  error: string | null;
}

/** Reads the server's /metadata and tries the credentials, and keeps what it found. */
@Injectable()
export class TestFhirConnectionUseCase {
  constructor(
    private readonly connections: FhirConnectionsService,
    private readonly clients: FhirClientFactory,
  ) {}

  async execute(organisationId: string, connectionId: string): Promise<FhirConnectionTest> {
    const connection = await this.connections.open(organisationId, connectionId);

    let capabilities: FhirCapabilities | null = null;
    let error: string | null = null;
    try {
      capabilities = capabilitiesOf(await this.clients.anonymous(connection).capabilityStatement());
      await this.connections.recordCapabilities(organisationId, connectionId, capabilities);
    } catch (failure) {
      error = fhirFailureOf(failure).failure;
    }

    let auth = 'ok';
    try {
      this.clients.refused(connection);
      await this.clients.authorised(connection);
    } catch (failure) {
      auth = fhirFailureOf(failure).failure;
    }
    return { reachable: capabilities !== null, auth, capabilities, error };
  }
}
