import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  type AuthContext,
  apiKeyActor,
  ApiKeysService,
  Caller,
  type CreatedApiKey,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import { CreateApiKeyDto } from './create-api-key.dto';

interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** The token is in this response only; Sealpost keeps just its hash. */
  @Post()
  @RequireScope('api-keys:manage')
  create(@Caller() caller: AuthContext, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.apiKeys.create(caller.organisationId, dto.name, dto.scopes, apiKeyActor(caller));
  }

  @Get()
  @RequireScope('api-keys:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: ApiKeyView[] }> {
    const keys = await this.apiKeys.list(caller.organisationId);
    return {
      data: keys.map((key) => ({
        id: key.id,
        name: key.name,
        scopes: key.scopes,
        createdAt: key.createdAt.toISOString(),
        lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
        revokedAt: key.revokedAt?.toISOString() ?? null,
      })),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('api-keys:manage')
  async revoke(
    @Caller() caller: AuthContext,
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () => new SealpostError(ErrorCode.NotFound, 'No such API key.'),
      }),
    )
    id: string,
  ): Promise<void> {
    await this.apiKeys.revoke(caller.organisationId, id, apiKeyActor(caller));
  }
}
