import { ErrorCode, SealpostError } from '@sealpost/core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An opaque page cursor over uuid-ordered rows. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
      { path: 'cursor', message: 'is not a cursor this API returned' },
    ]);
  }
  return id;
}
