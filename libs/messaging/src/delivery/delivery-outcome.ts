import { type SmtpFailure } from './smtp-failure';

export type DeliveryOutcome =
  | {
      kind: 'delivered';
      host: string;
      response: string;
      tlsVersion: string;
      tlsCipher: string;
    }
  | { kind: 'failure'; host: string | null; failure: SmtpFailure }
  /** Not sent: the address is on the organisation's suppression list. */
  | { kind: 'suppressed'; host: null };
