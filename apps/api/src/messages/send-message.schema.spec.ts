import { SealpostError } from '@sealpost/core';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { sendMessageSchema } from './send-message.schema';

const pipe = new ZodBodyPipe(sendMessageSchema);
const minimal = { from: 'clinic@example.org', to: 'patient@example.net', subject: 'Hi', text: 'x' };

/** The details of the validation error `body` gets, or [] when it passes. */
function problemsOf(body: unknown): { path: string; message: string }[] {
  try {
    pipe.transform(body);
    return [];
  } catch (error) {
    if (!(error instanceof SealpostError)) {
      throw error;
    }
    return error.details ?? [];
  }
}

describe('sendMessageSchema through ZodBodyPipe', () => {
  it('fills what was left out and takes one address as a list', () => {
    expect(pipe.transform({ ...minimal, cc: null, replyTo: null })).toEqual({
      ...minimal,
      to: ['patient@example.net'],
      cc: [],
      bcc: [],
      headers: {},
      attachments: [],
      tags: [],
      metadata: {},
    });
  });

  it('names every problem by path, and an unknown property by name', () => {
    const problems = problemsOf({
      ...minimal,
      priority: 'urgent',
      tags: ['ok', 'not ok'],
      attachments: [{ filename: '', contentType: 'pdf', content: 'not base64!' }],
      tracking: 'no',
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'priority', message: 'is not a known property' },
        { path: 'tags[1]', message: 'is 1-64 of A-Z a-z 0-9 _ . : -' },
        { path: 'attachments[0].filename', message: 'must be at least 1 long' },
        { path: 'attachments[0].contentType', message: 'must be a MIME type like text/plain' },
        { path: 'attachments[0].content', message: 'must be base64' },
        { path: 'tracking', message: 'must be true or false' },
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('refuses a missing sender and oversized lists and maps without quoting values', () => {
    const secret = 'SSN 123-45-6789';
    const headers = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`X-${i}`, secret]));
    const problems = problemsOf({ ...minimal, from: undefined, headers, bcc: [secret, 7] });

    expect(problems).toEqual([
      { path: 'from', message: 'is required' },
      { path: 'bcc[1]', message: 'must be a string' },
      {
        path: 'headers',
        message: 'must map at most 100 names to strings of at most 998 characters',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('123-45-6789');
  });
});
