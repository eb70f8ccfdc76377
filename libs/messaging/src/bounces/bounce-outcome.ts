import { type BounceClass } from './delivery-status';

/**
 * What became of a notice for one return path. `recorded`: a `bounced` event was written
 * (and, when hard, the address suppressed). `ignored`: a genuine return path, but the notice
 * reports no failure (delayed, relayed) or is no bounce at all (an out-of-office reply).
 * `unknown`: the return path is forged, or its copy no longer exists. The gateway answers 250
 * to all three after DATA: refusing a notice only makes the reporting server bounce the bounce.
 */
export type BounceOutcome =
  | {
      kind: 'recorded';
      organisationId: string;
      messageId: string;
      recipientId: string;
      eventId: string;
      status: string;
      class: BounceClass;
      suppressed: boolean;
    }
  | { kind: 'ignored'; recipientId: string }
  | { kind: 'unknown' };
