import { readGmailNotification } from './pubsub-push';

const push = (data: unknown) => ({
  message: {
    data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'),
    messageId: '2070443601311540',
    publishTime: '2026-12-04T10:00:00.000Z',
  },
  subscription: 'projects/sealpost-test/subscriptions/gmail-push',
});

describe('readGmailNotification', () => {
  it('reads the address and history id Gmail published', () => {
    expect(
      readGmailNotification(push({ emailAddress: 'A.User@Example.org', historyId: 9876543210 })),
    ).toEqual({ emailAddress: 'a.user@example.org', historyId: '9876543210' });
    expect(
      readGmailNotification(push({ emailAddress: 'u@example.org', historyId: '12345' })).historyId,
    ).toBe('12345');
  });

  it('refuses what is not a Gmail push, naming the part without quoting it', () => {
    const attempts = [
      {},
      { message: {} },
      push('not json {patient@example.org'),
      push({ emailAddress: 'u@example.org' }),
      push({ emailAddress: 'u@example.org', historyId: 'abc' }),
    ];

    for (const body of attempts) {
      let error: unknown;
      try {
        readGmailNotification(body);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'validation_failed' });
      expect((error as Error).message).not.toContain('patient@example.org');
    }
  });
});
