import { ErrorCode, SealpostError } from '@sealpost/core';

/** Every refusal of the webhooks feature, each with its code and a message without values. */
export const webhookNotFound = () =>
  new SealpostError(ErrorCode.NotFound, 'No such webhook endpoint.');

export const webhookMessageNotFound = () =>
  new SealpostError(ErrorCode.NotFound, 'No such webhook message for this endpoint.');

export const webhookUrlRefused = (reason: string) =>
  new SealpostError(ErrorCode.InvalidValue, `The endpoint URL is not allowed: ${reason}.`, [
    { path: 'url', message: reason, code: 'url_not_allowed' },
  ]);
