import { ErrorCode, SealpostError } from '@sealpost/core';

/** Where a newest-first page over (created_at, id) ended; rows stamped in milliseconds. */
export interface CreatedAtCursor {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Opaque to callers; holds a time and an id, never a row's content. */
export function encodeCreatedAtCursor(cursor: CreatedAtCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The cursor a page returned; anything else is a 422 naming `cursor`. */
export function decodeCreatedAtCursor(raw: string): CreatedAtCursor {
  try {
    const cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as CreatedAtCursor;
    if (UUID.test(String(cursor.id)) && ISO_INSTANT.test(String(cursor.createdAt))) {
      return { id: cursor.id, createdAt: new Date(cursor.createdAt).toISOString() };
    }
  } catch {
    // fall through to the error below
  }
  throw new SealpostError(ErrorCode.ValidationFailed, 'The cursor is not one this API returned.', [
    { path: 'cursor', message: 'is not valid' },
  ]);
}
