import { ErrorCode, SealpostError } from '@sealpost/core';

/** Why a key was refused. Stable: API clients switch on these; never rename one. */
export enum PgpKeyReason {
  Malformed = 'malformed',
  NotPublic = 'not_public',
  Expired = 'expired',
  Revoked = 'revoked',
  NoEncryptionSubkey = 'no_encryption_subkey',
  AddressMismatch = 'address_mismatch',
  SigningKeyUnusable = 'signing_key_unusable',
}

/**
 * A key that Sealpost will not store or use. It is a validation failure (422 through the
 * global filter) whose message is a sentence for a person: it never quotes key material or
 * addresses, since both may be copied into logs by whoever catches it. `reason` is the
 * machine code; the controller decides how to expose it (e.g. as an error detail).
 */
export class PgpKeyError extends SealpostError {
  constructor(
    readonly reason: PgpKeyReason,
    message: string,
  ) {
    super(ErrorCode.ValidationFailed, message);
    this.name = 'PgpKeyError';
  }
}
