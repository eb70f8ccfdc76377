import { randomUUID } from 'node:crypto';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { type ErrorBody } from './error-body';
import { ErrorCode, httpStatusOf } from './error-code';
import { safeErrorFields } from './safe-error-fields';
import { SealpostError } from './sealpost-error';

/** Maps every error to the stable body `{code, message, errorId}` and a matching status. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const errorId = randomUUID();
    const { status, body } = this.describe(exception, errorId);
    if (status >= 500) {
      this.logger.error({ errorId, err: safeErrorFields(exception) }, 'request failed');
    }
    if (!response.headersSent) {
      response.status(status).json(body);
    }
  }

  private describe(exception: unknown, errorId: string): { status: number; body: ErrorBody } {
    if (exception instanceof SealpostError) {
      const body: ErrorBody = { code: exception.code, message: exception.message, errorId };
      if (exception.details?.length) {
        body.details = exception.details;
      }
      return { status: httpStatusOf(exception.code), body };
    }
    if (exception instanceof HttpException) {
      return this.describeHttpException(exception, errorId);
    }
    return {
      status: 500,
      body: {
        code: ErrorCode.InternalError,
        message: 'Something went wrong on our side. Quote the errorId when reporting it.',
        errorId,
      },
    };
  }

  private describeHttpException(exception: HttpException, errorId: string) {
    const status = exception.getStatus();
    const known: Record<number, [ErrorCode, string]> = {
      400: [ErrorCode.ValidationFailed, 'The request is not valid.'],
      401: [ErrorCode.Unauthenticated, 'Authentication is required.'],
      403: [ErrorCode.InsufficientScope, 'This credential may not do that.'],
      404: [ErrorCode.NotFound, 'No such resource or route.'],
      413: [ErrorCode.PayloadTooLarge, 'The request body is too large.'],
      415: [ErrorCode.UnsupportedMediaType, 'Send the body as application/json.'],
    };
    const [code, message] = known[status] ?? [ErrorCode.InternalError, 'The request failed.'];
    return { status, body: { code, message, errorId } as ErrorBody };
  }
}
