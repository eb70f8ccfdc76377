import { type PreparedMessage } from '@sealpost/messaging';

/**
 * A Send Email's message, checked and sealed; the runner accepts a batch's messages together,
 * in the transaction that records the steps, under `idempotencyKey`.
 */
export interface PendingSend {
  idempotencyKey: string;
  prepared: PreparedMessage;
}

/** What taking one step did to an enrollment; EnrollmentStore writes it. */
export type Transition =
  /** The step is done: record `outcome` and go on to `next`, due at once. */
  | { kind: 'move'; outcome: string; next: string; messageId?: string; send?: PendingSend }
  /** The step holds the contact until `dueAt`; `waitEndsAt` is when the wait gives up. */
  | { kind: 'wait'; dueAt: Date; waitEndsAt: Date }
  /** The journey ends here for this contact, with the step's outcome and the reason. */
  | {
      kind: 'end';
      outcome: string;
      state: 'completed' | 'left' | 'failed';
      reason: string;
      messageId?: string;
      send?: PendingSend;
    };

export type EnrollmentState = 'active' | 'waiting' | 'completed' | 'left' | 'failed';

export interface EnrollmentRow {
  id: string;
  organisation_id: string;
  workflow_id: string;
  version: number;
  contact_id: string;
  state: EnrollmentState;
  current_step: string;
  revision: number;
  due_at: Date | null;
  wait_started_at: Date | null;
  wait_timeout_at: Date | null;
  visited: string[];
  trigger_ciphertext: Buffer | null;
  trigger_wrapped_key: Buffer | null;
  trigger_key_id: string | null;
}
