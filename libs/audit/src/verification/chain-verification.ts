/** Why a record fails verification. */
export type ChainFaultReason =
  /** A record with this sequence is absent (deleted, or the chain was cut). */
  | 'missing'
  /** The record's contents no longer match its hash: changed after it was written. */
  | 'altered'
  /** The record does not name the hash of the record before it: moved, swapped or forged. */
  | 'broken_link'
  /** A signed checkpoint vouches for a different hash at this sequence. */
  | 'checkpoint_mismatch'
  /** A checkpoint at this sequence carries no valid signature of a known key. */
  | 'checkpoint_signature_invalid';

export interface ChainFault {
  sequence: number;
  reason: ChainFaultReason;
  message: string;
}

export interface ChainVerification {
  organisationId: string;
  ok: boolean;
  /** Records read. */
  records: number;
  checkpoints: number;
  lastSequence: number;
  /** Hex SHA-256 of the last record read; 64 zeros for an empty chain. */
  lastHash: string;
  firstBad: ChainFault | null;
}

const MESSAGES: Record<ChainFaultReason, (sequence: number) => string> = {
  missing: (sequence) => `record ${sequence} is missing`,
  altered: (sequence) => `record ${sequence} was changed after it was written`,
  broken_link: (sequence) =>
    `record ${sequence} does not follow record ${sequence - 1} (moved, swapped or inserted)`,
  checkpoint_mismatch: (sequence) =>
    `the signed checkpoint at record ${sequence} vouches for a different chain`,
  checkpoint_signature_invalid: (sequence) =>
    `the checkpoint at record ${sequence} has no valid signature`,
};

export function chainFault(sequence: number, reason: ChainFaultReason): ChainFault {
  return { sequence, reason, message: MESSAGES[reason](sequence) };
}
