import { type ReceivedEnvelope } from './received-message';

/** What became of a delivery status notification handed over by the gateway. */
export interface InboundBounceResult {
  /** Ids of what was recorded (events), for the gateway's log line; never an address. */
  reference: string;
}

/**
 * Where the SMTP gateway hands mail addressed to our return paths (VERP) instead of relaying
 * it; the bounces feature's ReceiveBounceUseCase fills it. `accepts` runs at RCPT TO for every
 * client, authenticated or not, and does no I/O (what it refuses is refused like any other
 * relaying attempt); `receive` runs after DATA and must make the notice durable before it
 * resolves, since the gateway answers 250 right after.
 */
export abstract class InboundBounceHandler {
  abstract accepts(address: string): boolean;

  abstract receive(raw: Buffer, envelope: ReceivedEnvelope): Promise<InboundBounceResult>;
}
