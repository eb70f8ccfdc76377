import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { type ErrorBody, ErrorCode, httpStatusOf } from '@sealpost/core';
import { json, type NextFunction, type Request, type Response } from 'express';

// base64 grows attachments by a third; JSON framing adds a little more.
const JSON_OVERHEAD = 1.4;

/**
 * JSON body parsing with our own error bodies: body-parser's errors otherwise bypass Nest's
 * filters and answer with HTML.
 */
export function useJsonBodies(app: INestApplication, maxMessageBytes: number): void {
  app.use(
    json({
      limit: Math.ceil(maxMessageBytes * JSON_OVERHEAD) + 64 * 1024,
      // EHRs post Subscription notifications as FHIR JSON.
      type: ['application/json', 'application/fhir+json'],
    }),
  );
  app.use((error: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    const code =
      error.type === 'entity.too.large'
        ? ErrorCode.PayloadTooLarge
        : error.type === 'entity.parse.failed'
          ? ErrorCode.InvalidJson
          : error.type === 'encoding.unsupported' || error.type === 'charset.unsupported'
            ? ErrorCode.UnsupportedMediaType
            : null;
    if (!code) {
      next(error);
      return;
    }
    const messages: Partial<Record<ErrorCode, string>> = {
      [ErrorCode.PayloadTooLarge]: 'The request body is larger than this server accepts.',
      [ErrorCode.InvalidJson]: 'The request body is not valid JSON.',
      [ErrorCode.UnsupportedMediaType]: 'The body encoding or charset is not supported.',
    };
    const body: ErrorBody = { code, message: messages[code] ?? '', errorId: randomUUID() };
    res.status(httpStatusOf(code)).json(body);
  });
}
