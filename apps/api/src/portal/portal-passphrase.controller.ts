import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import { SetPortalPassphraseUseCase } from '@sealpost/messaging';
import { PortalPassphraseDto } from './portal-passphrase.dto';

const notFound = () => new SealpostError(ErrorCode.NotFound, 'No such recipient.');

@ApiTags('portal')
@ApiBearerAuth()
@Controller('v1/messages/:id/recipients/:recipientId/portal')
export class PortalPassphraseController {
  constructor(private readonly setPassphrase: SetPortalPassphraseUseCase) {}

  /**
   * Sets the passphrase the recipient may open the portal with instead of an emailed code;
   * share it another way (phone, in person). Stored only as a slow hash.
   */
  @Put('passphrase')
  @HttpCode(204)
  @RequireScope('messages:send')
  @ApiResponse({ status: 204, description: 'Set; it replaces an earlier one.' })
  @ApiResponse({ status: 404, description: 'No such recipient of yours.' })
  async put(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: notFound })) messageId: string,
    @Param('recipientId', new ParseUUIDPipe({ exceptionFactory: notFound })) recipientId: string,
    @Body() dto: PortalPassphraseDto,
  ): Promise<void> {
    await this.setPassphrase.execute(caller, messageId, recipientId, dto.passphrase);
  }
}
