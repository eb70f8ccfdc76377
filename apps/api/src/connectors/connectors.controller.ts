import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { FhirStatusService } from '@sealpost/fhir';
import { GoogleWorkspaceStatusService } from '@sealpost/google-workspace';
import { GatewayStatusService } from '@sealpost/messaging';
import { M365StatusService } from '@sealpost/microsoft365';
import {
  type ConnectorSummary,
  fhirSummary,
  gatewaySummary,
  googleWorkspaceSummary,
  microsoft365Summary,
} from './connector-summaries';

/** Every connector of the caller's organisation at a glance: health, last activity, error. */
@ApiTags('connectors')
@ApiBearerAuth()
@Controller('v1/connectors')
export class ConnectorsController {
  constructor(
    private readonly gateway: GatewayStatusService,
    private readonly microsoft365: M365StatusService,
    private readonly googleWorkspace: GoogleWorkspaceStatusService,
    private readonly fhir: FhirStatusService,
  ) {}

  @Get()
  @RequireScope('connectors:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: ConnectorSummary[] }> {
    const organisationId = caller.organisationId;
    const [gateway, microsoft365, googleWorkspace, fhir] = await Promise.all([
      this.gateway.status(organisationId),
      this.microsoft365.status(organisationId),
      this.googleWorkspace.status(organisationId),
      this.fhir.status(organisationId),
    ]);
    return {
      data: [
        gatewaySummary(gateway),
        microsoft365Summary(microsoft365),
        googleWorkspaceSummary(googleWorkspace),
        fhirSummary(fhir),
      ],
    };
  }
}
