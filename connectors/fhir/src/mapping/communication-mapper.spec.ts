import { randomUUID } from 'node:crypto';
import { fhirValidationErrors } from '@sealpost/test-peers/fhir';
import {
  ENGAGEMENT_EXTENSION,
  MESSAGE_MILESTONE_SYSTEM,
  MESSAGE_RECIPIENT_SYSTEM,
  MESSAGE_REPLY_SYSTEM,
} from '../fhir-naming';
import {
  type ChartedMessage,
  communicationOf,
  milestoneCommunicationsOf,
  replyCommunicationOf,
} from './communication-mapper';
import { type ChartEvent, communicationStateOf } from './communication-state';

let clock = Date.parse('2026-03-01T09:00:00Z');
const event = (type: string): ChartEvent => ({
  id: String(Math.floor(Math.random() * 1e9)),
  type,
  at: new Date((clock += 60_000)),
});

function message(overrides: Partial<ChartedMessage> = {}): ChartedMessage {
  return {
    recipientId: randomUUID(),
    patientReference: 'Patient/p-1',
    senderDisplay: 'clinic@example.org',
    category: 'reminder',
    basedOn: 'Appointment/a-7',
    title: 'Your appointment on Monday',
    link: 'https://sealpost.test/v1/messages/m-1',
    ...overrides,
  };
}

describe('communication state', () => {
  it('follows the message: preparation, in-progress, completed', () => {
    const accepted = event('accepted');
    const queued = event('queued');
    const delivered = event('delivered');

    expect(communicationStateOf([accepted]).status).toBe('preparation');
    expect(communicationStateOf([accepted, queued]).status).toBe('in-progress');
    const done = communicationStateOf([accepted, queued, delivered]);
    expect(done).toMatchObject({ status: 'completed', sent: delivered.at });
  });

  it('is not-done with a reason on a bounce, unless the recipient engaged', () => {
    const bounced = [event('accepted'), event('queued'), event('bounced')];

    expect(communicationStateOf(bounced)).toMatchObject({
      status: 'not-done',
      statusReason: 'bounced',
    });
    expect(communicationStateOf([...bounced, event('opened')]).status).toBe('completed');
  });

  it('ends in the same state whatever the order of events and however often one repeats', () => {
    const events = [event('accepted'), event('queued'), event('delivered'), event('opened')];
    const inOrder = communicationStateOf(events);

    const shuffled = communicationStateOf([events[3], events[1], events[3], events[0], events[2]]);

    expect(shuffled.status).toBe('completed');
    expect(shuffled.sent).toEqual(inOrder.sent);
    expect(shuffled.received).toEqual(events[3].at);
  });
});

describe('communication mapping (checked by the independent `fhir` validator)', () => {
  it('maps a delivered, opened and clicked message to one valid Communication', () => {
    const charted = message();
    const opened = event('opened');
    const state = communicationStateOf([
      event('accepted'),
      event('delivered'),
      opened,
      event('clicked'),
    ]);

    const resource = communicationOf(charted, state);

    expect(fhirValidationErrors(resource)).toEqual([]);
    expect(resource).toMatchObject({
      identifier: [{ system: MESSAGE_RECIPIENT_SYSTEM, value: charted.recipientId }],
      status: 'completed',
      subject: { reference: 'Patient/p-1' },
      recipient: [{ reference: 'Patient/p-1' }],
      basedOn: [{ reference: 'Appointment/a-7' }],
      category: [{ coding: [{ code: 'reminder' }] }],
      medium: [{ coding: [{ code: 'EMAILWRIT' }] }],
      received: opened.at.toISOString(),
    });
    expect(resource.extension).toEqual([
      {
        url: ENGAGEMENT_EXTENSION,
        extension: [
          { url: 'type', valueCode: 'opened' },
          { url: 'time', valueDateTime: opened.at.toISOString() },
        ],
      },
      expect.objectContaining({ url: ENGAGEMENT_EXTENSION }),
    ]);
  });

  it('carries only a title and a link unless content is allowed', () => {
    const state = communicationStateOf([event('delivered')]);

    const linked = communicationOf(message(), state);
    const withContent = communicationOf(
      message({ content: { contentType: 'text/plain', base64: 'SGVsbG8=' } }),
      state,
    );

    expect(linked.payload).toEqual([
      {
        contentAttachment: {
          title: 'Your appointment on Monday',
          url: 'https://sealpost.test/v1/messages/m-1',
        },
      },
    ]);
    expect(withContent.payload).toEqual([
      {
        contentAttachment: {
          contentType: 'text/plain',
          data: 'SGVsbG8=',
          title: 'Your appointment on Monday',
        },
      },
    ]);
    expect(fhirValidationErrors(withContent)).toEqual([]);
  });

  it('gives a bounce a valid statusReason', () => {
    const resource = communicationOf(
      message({ basedOn: undefined, category: 'notification' }),
      communicationStateOf([event('queued'), event('bounced')]),
    );

    expect(fhirValidationErrors(resource)).toEqual([]);
    expect(resource.status).toBe('not-done');
    expect(resource.statusReason).toMatchObject({ coding: [{ code: 'bounced' }] });
    expect(resource.basedOn).toBeUndefined();
  });

  it('maps a reply to its own Communication in response to the message', () => {
    const charted = message();
    const reply = event('portal.replied');

    const { identifier, resource } = replyCommunicationOf(charted, reply);

    expect(fhirValidationErrors(resource)).toEqual([]);
    expect(identifier).toEqual({ system: MESSAGE_REPLY_SYSTEM, value: reply.id });
    expect(resource).toMatchObject({
      sender: { reference: 'Patient/p-1' },
      inResponseTo: [
        { identifier: { system: MESSAGE_RECIPIENT_SYSTEM, value: charted.recipientId } },
      ],
    });
  });

  it('gives create-only servers one valid Communication per milestone, with stable keys', () => {
    const charted = message();
    const state = communicationStateOf([
      event('queued'),
      event('delivered'),
      event('opened'),
      event('opened'),
    ]);

    const writes = milestoneCommunicationsOf(charted, state);

    expect(writes.map((write) => write.key)).toEqual(['in-progress', 'completed', 'opened']);
    expect(writes.map((write) => write.identifier)).toEqual(
      ['in-progress', 'completed', 'opened'].map((key) => ({
        system: MESSAGE_MILESTONE_SYSTEM,
        value: `${charted.recipientId}:${key}`,
      })),
    );
    for (const write of writes) {
      expect(fhirValidationErrors(write.resource)).toEqual([]);
    }
  });
});
