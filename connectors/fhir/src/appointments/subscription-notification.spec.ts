import { NotificationShapeError, readSubscriptionNotification } from './subscription-notification';

function statusEntry(type: string, focus?: string) {
  return {
    fullUrl: 'urn:uuid:5c2f0c5e-7a4f-4a59-9c38-1f0b9a0f2d11',
    request: { method: 'GET', url: 'https://ehr.example/fhir/Subscription/s-1/$status' },
    response: { status: '200' },
    resource: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'subscription', valueReference: { reference: 'Subscription/s-1' } },
        { name: 'status', valueCode: 'active' },
        { name: 'type', valueCode: type },
        ...(focus
          ? [
              {
                name: 'notification-event',
                part: [
                  { name: 'event-number', valueString: '4' },
                  { name: 'focus', valueReference: { reference: focus } },
                ],
              },
            ]
          : []),
      ],
    },
  };
}

const history = (...entry: unknown[]) => ({ resourceType: 'Bundle', type: 'history', entry });

describe('readSubscriptionNotification (R4 backport shape)', () => {
  it('reads a handshake and a heartbeat', () => {
    expect(readSubscriptionNotification(history(statusEntry('handshake')))).toEqual({
      type: 'handshake',
      appointments: [],
      appointmentIds: [],
    });
    expect(readSubscriptionNotification(history(statusEntry('heartbeat'))).type).toBe('heartbeat');
  });

  it('takes full Appointments from the entries after the status, ignoring other resources', () => {
    const appointment = { resourceType: 'Appointment', id: 'a-1', status: 'booked' };
    const read = readSubscriptionNotification(
      history(
        statusEntry('event-notification', 'Appointment/a-1'),
        { fullUrl: 'https://ehr.example/fhir/Appointment/a-1', resource: appointment },
        { resource: { resourceType: 'Patient', id: 'p-1' } },
      ),
    );

    expect(read).toEqual({
      type: 'event-notification',
      appointments: [appointment],
      appointmentIds: [],
    });
  });

  it('collects ids from id-only entries and event focus references, once each', () => {
    const read = readSubscriptionNotification(
      history(
        statusEntry('event-notification', 'https://ehr.example/fhir/Appointment/a-2'),
        { fullUrl: 'https://ehr.example/fhir/Appointment/a-2' },
        { fullUrl: 'https://ehr.example/fhir/Appointment/a-3/_history/2' },
      ),
    );

    expect(read.appointmentIds).toEqual(['a-2', 'a-3']);
  });

  it('refuses what is not a history bundle with a status first, quoting none of it', () => {
    const cases: unknown[] = [
      { resourceType: 'Bundle', type: 'searchset', entry: [statusEntry('handshake')] },
      history({ resource: { resourceType: 'Appointment', id: 'Jane Doe' } }),
      history(statusEntry('teleported')),
      'not json at all',
    ];

    for (const body of cases) {
      expect(() => readSubscriptionNotification(body)).toThrow(NotificationShapeError);
    }
    expect(() =>
      readSubscriptionNotification(history({ resource: { resourceType: 'X', id: 'Jane Doe' } })),
    ).not.toThrow(/Jane/);
  });
});
