/** One message event of a recipient, as the mapping reads it. */
export interface ChartEvent {
  id: string;
  type: string;
  at: Date;
}

export type CommunicationStatus = 'preparation' | 'in-progress' | 'completed' | 'not-done';
export type EngagementType = 'opened' | 'clicked' | 'portal-viewed';
export type NotDoneReason = 'bounced' | 'failed';

export interface Engagement {
  type: EngagementType;
  at: Date;
}

/** What the EHR should show for one message and recipient, whatever order events came in. */
export interface CommunicationState {
  status: CommunicationStatus;
  statusReason?: NotDoneReason;
  sent?: Date;
  received?: Date;
  engagements: Engagement[];
  replies: ChartEvent[];
}

const ENGAGEMENT_OF: Record<string, EngagementType> = {
  opened: 'opened',
  clicked: 'clicked',
  'portal.viewed': 'portal-viewed',
};

/** Ordering of statuses: a write never replaces a status with one of lower rank. */
export function statusRank(status: CommunicationStatus): number {
  switch (status) {
    case 'preparation':
      return 0;
    case 'in-progress':
      return 1;
    case 'completed':
    case 'not-done':
      return 2;
  }
}

/**
 * Derives the state from the whole set of events, never from the latest one, so a duplicate
 * or late event cannot move the status backwards. Engagement proves the message arrived, so
 * it wins over a bounce notice; a bounce wins over a delivery (a DSN can follow acceptance).
 */
export function communicationStateOf(events: readonly ChartEvent[]): CommunicationState {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = (...types: string[]) => sorted.find((event) => types.includes(event.type));
  const engagements = sorted
    .filter((event) => event.type in ENGAGEMENT_OF)
    .map((event) => ({ type: ENGAGEMENT_OF[event.type], at: event.at }));
  const replies = sorted.filter((event) => event.type === 'portal.replied');
  const delivered = first('delivered');
  const notDone = first('bounced', 'failed');
  const engaged = engagements[0] ?? replies[0];

  const state: CommunicationState = { status: 'preparation', engagements, replies };
  if (first('queued', 'deferred')) {
    state.status = 'in-progress';
  }
  if (delivered || engaged) {
    state.status = 'completed';
    state.sent = delivered?.at;
  }
  if (notDone && !engaged) {
    state.status = 'not-done';
    state.statusReason = notDone.type === 'bounced' ? 'bounced' : 'failed';
  }
  if (engaged) {
    state.received = engaged.at;
  }
  return state;
}
