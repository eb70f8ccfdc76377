import { ErrorCode, SealpostError } from '@sealpost/core';
import { isUuid } from './uuid';

/** An opaque page cursor over uuid-ordered rows. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
      { path: 'cursor', message: 'is not a cursor this API returned' },
    ]);
  }
  return id;
}
