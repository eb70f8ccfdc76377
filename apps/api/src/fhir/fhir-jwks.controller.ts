import { Controller, Get, Header, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ErrorCode, PublicRoute, SealpostError } from '@sealpost/core';
import { FhirSigningKeysService } from '@sealpost/fhir';
import { type JWK } from 'jose';

/**
 * The public keys an EHR checks Sealpost's SMART client assertions with, at a stable URL to
 * register as the client's JWKS URL. Public keys only; no credential needed.
 */
@ApiTags('fhir')
@Controller('fhir/jwks')
export class FhirJwksController {
  constructor(private readonly keys: FhirSigningKeysService) {}

  @Get(':organisationId')
  @PublicRoute()
  // Short, so a rotation is seen soon; keys sign only minutes after they are published.
  @Header('cache-control', 'public, max-age=60')
  @Header('content-type', 'application/jwk-set+json')
  jwks(
    @Param(
      'organisationId',
      new ParseUUIDPipe({
        exceptionFactory: () => new SealpostError(ErrorCode.NotFound, 'No such key set.'),
      }),
    )
    organisationId: string,
  ): Promise<{ keys: JWK[] }> {
    return this.keys.jwks(organisationId);
  }
}
