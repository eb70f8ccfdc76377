import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import {
  AcceptMessageUseCase,
  type AcceptedMessage,
  type MessagePage,
  MessagesQueryService,
  type MessageView,
} from '@sealpost/messaging';
import type { Request, Response } from 'express';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { ListMessagesQuery } from './list-messages.query';
import { requestHash } from './request-hash';
import { SendMessageDto } from './send-message.dto';
import { type SendMessageBody, sendMessageSchema } from './send-message.schema';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly acceptMessage: AcceptMessageUseCase,
    private readonly messages: MessagesQueryService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('messages:send')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Kept for 24 hours.' })
  @ApiResponse({ status: 202, description: 'Stored durably and queued for delivery.' })
  @ApiBody({ type: SendMessageDto })
  async send(
    @Caller() caller: AuthContext,
    @Body(new ZodBodyPipe(sendMessageSchema)) dto: SendMessageBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AcceptedMessage> {
    const idempotencyKey = request.header('idempotency-key');
    if (!dto.text && !dto.html) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
        { path: 'text', message: 'text or html is required' },
      ]);
    }
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
        { path: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' },
      ]);
    }
    const idempotency = idempotencyKey
      ? { key: idempotencyKey, requestHash: requestHash(request.body) }
      : undefined;
    const result = await this.acceptMessage.execute(caller, dto, idempotency);
    if (result.replayed) {
      response.setHeader('Idempotent-Replayed', 'true');
    }
    return result.message;
  }

  @Get()
  @RequireScope('messages:read')
  list(@Caller() caller: AuthContext, @Query() query: ListMessagesQuery): Promise<MessagePage> {
    return this.messages.list(caller, query);
  }

  @Get(':id')
  @RequireScope('messages:read')
  get(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => notFound() })) id: string,
  ): Promise<MessageView> {
    return this.messages.get(caller, id);
  }
}

function notFound(): SealpostError {
  return new SealpostError(ErrorCode.NotFound, 'No such message.');
}
