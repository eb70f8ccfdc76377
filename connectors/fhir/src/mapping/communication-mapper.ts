import {
  ENGAGEMENT_EXTENSION,
  MESSAGE_MILESTONE_SYSTEM,
  MESSAGE_RECIPIENT_SYSTEM,
  MESSAGE_REPLY_SYSTEM,
  NOT_DONE_REASON_SYSTEM,
} from '../fhir-naming';
import {
  type ChartEvent,
  type CommunicationState,
  type CommunicationStatus,
  type Engagement,
} from './communication-state';

export type CommunicationCategory = 'notification' | 'reminder';

/** What Sealpost knows of a message and one patient recipient, ready to chart. */
export interface ChartedMessage {
  recipientId: string;
  /** e.g. `Patient/123`: the contact's EHR link. */
  patientReference: string;
  senderDisplay: string;
  category: CommunicationCategory;
  /** e.g. `Appointment/9`: what caused the message, when known. */
  basedOn?: string;
  title: string;
  /** Where the message is seen in Sealpost. */
  link: string;
  /** Only when the connection allows content in the chart. */
  content?: { contentType: string; base64: string };
}

export interface Communication {
  resourceType: 'Communication';
  identifier: { system: string; value: string }[];
  [field: string]: unknown;
}

/** A resource to write and the identifier that makes the write idempotent. */
export interface CommunicationWrite {
  key: string;
  identifier: { system: string; value: string };
  resource: Communication;
}

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/communication-category';
const MODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';

/** The one Communication of a message and recipient (servers that update). */
export function communicationOf(message: ChartedMessage, state: CommunicationState): Communication {
  return buildCommunication(message, state.status, state, state.engagements, {
    system: MESSAGE_RECIPIENT_SYSTEM,
    value: message.recipientId,
  });
}

/**
 * One Communication per milestone reached (servers that only create): each status the
 * message went through and the first engagement of each type. Keys are stable, so a retry
 * asks for the same conditional creates.
 */
export function milestoneCommunicationsOf(
  message: ChartedMessage,
  state: CommunicationState,
): CommunicationWrite[] {
  const milestones: { key: string; status: CommunicationStatus; engagements: Engagement[] }[] = [];
  if (state.status !== 'preparation') {
    milestones.push({ key: 'in-progress', status: 'in-progress', engagements: [] });
  }
  if (state.status === 'completed' || state.status === 'not-done') {
    milestones.push({ key: state.status, status: state.status, engagements: [] });
  }
  const seen = new Set<string>();
  for (const engagement of state.engagements) {
    if (!seen.has(engagement.type)) {
      seen.add(engagement.type);
      milestones.push({ key: engagement.type, status: 'completed', engagements: [engagement] });
    }
  }
  return milestones.map(({ key, status, engagements }) => {
    const identifier = { system: MESSAGE_MILESTONE_SYSTEM, value: `${message.recipientId}:${key}` };
    const resource = buildCommunication(message, status, state, engagements, identifier);
    resource.identifier.push({ system: MESSAGE_RECIPIENT_SYSTEM, value: message.recipientId });
    return { key, identifier, resource };
  });
}

/** A patient's reply: from the patient, in response to the message's Communication. */
export function replyCommunicationOf(
  message: ChartedMessage,
  reply: ChartEvent,
): CommunicationWrite {
  const identifier = { system: MESSAGE_REPLY_SYSTEM, value: reply.id };
  return {
    key: `reply:${reply.id}`,
    identifier,
    resource: {
      resourceType: 'Communication',
      identifier: [identifier],
      status: 'completed',
      inResponseTo: [
        { identifier: { system: MESSAGE_RECIPIENT_SYSTEM, value: message.recipientId } },
      ],
      category: [categoryOf(message.category)],
      medium: [mediumOf()],
      subject: { reference: message.patientReference },
      sender: { reference: message.patientReference },
      sent: reply.at.toISOString(),
      payload: [{ contentAttachment: { title: `Reply: ${message.title}`, url: message.link } }],
    },
  };
}

function buildCommunication(
  message: ChartedMessage,
  status: CommunicationStatus,
  state: CommunicationState,
  engagements: Engagement[],
  identifier: { system: string; value: string },
): Communication {
  const resource: Communication = {
    resourceType: 'Communication',
    identifier: [identifier],
    status,
    category: [categoryOf(message.category)],
    medium: [mediumOf()],
    subject: { reference: message.patientReference },
    recipient: [{ reference: message.patientReference }],
    sender: { display: message.senderDisplay },
    payload: [{ contentAttachment: attachmentOf(message) }],
  };
  if (message.basedOn) {
    resource.basedOn = [{ reference: message.basedOn }];
  }
  if (status === 'not-done' && state.statusReason) {
    resource.statusReason = {
      coding: [{ system: NOT_DONE_REASON_SYSTEM, code: state.statusReason }],
      text: state.statusReason === 'bounced' ? 'Bounced' : 'Delivery failed',
    };
  }
  if (state.sent && status !== 'in-progress') {
    resource.sent = state.sent.toISOString();
  }
  if (state.received && status === 'completed') {
    resource.received = state.received.toISOString();
  }
  if (engagements.length) {
    resource.extension = engagements.map((engagement) => ({
      url: ENGAGEMENT_EXTENSION,
      extension: [
        { url: 'type', valueCode: engagement.type },
        { url: 'time', valueDateTime: engagement.at.toISOString() },
      ],
    }));
  }
  return resource;
}

function attachmentOf(message: ChartedMessage): Record<string, string> {
  if (message.content) {
    return {
      contentType: message.content.contentType,
      data: message.content.base64,
      title: message.title,
    };
  }
  return { title: message.title, url: message.link };
}

function categoryOf(category: CommunicationCategory): Record<string, unknown> {
  return { coding: [{ system: CATEGORY_SYSTEM, code: category }] };
}

function mediumOf(): Record<string, unknown> {
  return { coding: [{ system: MODE_SYSTEM, code: 'EMAILWRIT', display: 'email' }] };
}
