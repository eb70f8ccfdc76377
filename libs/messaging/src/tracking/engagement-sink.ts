import { Injectable } from '@nestjs/common';

/** An open or a click, once its message_events row is written. Ids and the URL only. */
export interface EngagementEvent {
  organisationId: string;
  messageId: string;
  recipientId: string;
  type: 'opened' | 'clicked';
  /** The original link, for clicks; never logged. */
  url?: string;
  at: Date;
}

/**
 * Where tracking hands each engagement after recording it, so the workflow engine can wake
 * enrollments waiting for it. Tracking does not depend on the engine: the default does
 * nothing, and the engine binds its own implementation.
 */
export abstract class EngagementSink {
  abstract record(event: EngagementEvent): Promise<void>;
}

@Injectable()
export class NoopEngagementSink extends EngagementSink {
  record(): Promise<void> {
    return Promise.resolve();
  }
}
