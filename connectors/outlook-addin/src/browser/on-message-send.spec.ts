import { DEFAULT_POLICY, requiresProtection } from '@sealpost/encryption';
import { OfficeMockObject } from 'office-addin-mock';

// office-addin-mock loads office-addin-manifest's file tools, which require ESM-only builds of
// strip-bom and uuid; Jest's CommonJS runtime cannot load them, and no test here reads a
// manifest file, so both stand in with their one function each.
jest.mock(
  require.resolve('strip-bom', { paths: [require.resolve('@microsoft/app-manifest')] }),
  () => (text: string) => text.replace(/^\uFEFF/, ''),
);
jest.mock(require.resolve('uuid', { paths: [require.resolve('office-addin-manifest')] }), () => ({
  v4: () => globalThis.crypto.randomUUID(),
}));
import {
  DEFAULT_SUBJECT_TAG,
  handleMessageSend,
  PHI_ALERT_MESSAGE,
  TASK_PANE_COMMAND_ID,
} from './on-message-send';
import { type PhiCheck, SealpostAddinApi, type TokenStore } from './sealpost-api';

// Office.js values as the hosted library defines them (enums are plain strings there).
const OFFICE_ENUMS = {
  AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  CoercionType: { Text: 'text', Html: 'html' },
  MailboxEnums: {
    SendModeOverride: { PromptUser: 'promptUser' },
    ItemNotificationMessageType: { InformationalMessage: 'informationalMessage' },
  },
};

interface Draft {
  secure?: boolean;
  subject?: string;
  body?: string;
  refuseHeaders?: boolean;
}

/** A compose item in office-addin-mock: each *Async call answers through its callback. */
function outlook(draft: Draft) {
  const state = {
    subject: draft.subject ?? 'Your results',
    headers: {} as Record<string, string>,
    session: draft.secure ? { 'sealpost.secure': '1' } : ({} as Record<string, string>),
  };
  const ok = (value?: unknown) => ({ status: 'succeeded', value });
  const failed = (message: string) => ({ status: 'failed', error: { message } });
  const recipients = (addresses: string[]) => ({
    getAsync: (done: (result: unknown) => void) =>
      done(ok(addresses.map((emailAddress) => ({ emailAddress, displayName: '' })))),
  });

  const item = {
    subject: {
      getAsync: (done: (result: unknown) => void) => done(ok(state.subject)),
      setAsync: (value: string, done: (result: unknown) => void) => {
        state.subject = value;
        done(ok());
      },
    },
    body: {
      getAsync: (_type: string, done: (result: unknown) => void) => done(ok(draft.body ?? '')),
    },
    internetHeaders: {
      setAsync: (headers: Record<string, string>, done: (result: unknown) => void) => {
        if (draft.refuseHeaders) {
          done(failed('Custom headers are not supported by this client.'));
          return;
        }
        Object.assign(state.headers, headers);
        done(ok());
      },
    },
    sessionData: {
      getAsync: (key: string, done: (result: unknown) => void) =>
        key in state.session ? done(ok(state.session[key])) : done(failed('not found')),
      setAsync: (key: string, value: string, done: (result: unknown) => void) => {
        state.session[key] = value;
        done(ok());
      },
    },
    from: {
      getAsync: (done: (result: unknown) => void) =>
        done(ok({ emailAddress: 'dana@clinic.example', displayName: 'Dana' })),
    },
    to: recipients(['patient@example.net']),
    cc: recipients([]),
    bcc: recipients(['records@clinic.example']),
  };
  const office = new OfficeMockObject({
    host: 'outlook',
    ...OFFICE_ENUMS,
    context: { mailbox: { item, userProfile: { emailAddress: 'dana@clinic.example' } } },
  }) as unknown as typeof Office;
  return { office, item: office.context.mailbox.item as unknown as Office.MessageCompose, state };
}

/** The api client with its HTTP exchange recorded; answers as the api documents them. */
function sealpost(answer: Partial<PhiCheck> | 'unreachable' = {}) {
  const calls: { path: string; body: unknown }[] = [];
  const tokens: TokenStore = {
    get: () => Promise.resolve('spa_test'),
    set: () => Promise.resolve(),
    clear: () => Promise.resolve(),
  };
  const fetcher = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = (input as string).replace('https://sealpost.example', '');
    calls.push({ path, body: init?.body ? JSON.parse(init.body as string) : undefined });
    if (answer === 'unreachable') {
      return Promise.reject(new TypeError('fetch failed'));
    }
    const body = { phiDetected: false, detectors: [], subjectTag: '[encrypt]', ...answer };
    return Promise.resolve(Response.json(body));
  };
  return { api: new SealpostAddinApi('https://sealpost.example', tokens, fetcher), calls };
}

function sendEvent() {
  return { completed: jest.fn() } as unknown as Office.MailboxEvent & { completed: jest.Mock };
}

/** What the gateway's policy makes of the sent draft, with protection left to rules and tags. */
function protectionOf(state: { subject: string; headers: Record<string, string> }) {
  const policy = {
    ...DEFAULT_POLICY,
    protection: { ...DEFAULT_POLICY.protection, mode: 'rules' as const, subjectTag: '[encrypt]' },
  };
  return requiresProtection(policy, {
    from: 'dana@clinic.example',
    subject: state.subject,
    headers: state.headers,
    recipientDomain: 'example.net',
  });
}

describe('OnMessageSend handler (office-addin-mock)', () => {
  afterEach(() => {
    delete (globalThis as { Office?: unknown }).Office;
  });

  function install(draft: Draft) {
    const mock = outlook(draft);
    (globalThis as { Office?: unknown }).Office = mock.office;
    return mock;
  }

  it('sets X-Sealpost-Encrypt: 1 and tags the subject when Send securely is on', async () => {
    const { item, state } = install({ secure: true, subject: 'Lab results' });
    const event = sendEvent();

    await handleMessageSend(event, item, sealpost().api);

    expect(state.headers).toEqual({ 'X-Sealpost-Encrypt': '1' });
    expect(state.subject).toBe('[encrypt] Lab results');
    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
    expect(protectionOf(state)).toEqual({
      required: true,
      reasons: ['subject tag', 'X-Sealpost-Encrypt header'],
      subjectAfterTags: 'Lab results',
    });
  });

  it('does not tag a subject twice', async () => {
    const { item, state } = install({ secure: true, subject: '[ENCRYPT] Lab results' });

    await handleMessageSend(sendEvent(), item, sealpost().api);

    expect(state.subject).toBe('[ENCRYPT] Lab results');
  });

  it('still tags the subject and sends when Outlook refuses the header', async () => {
    const { item, state } = install({ secure: true, subject: 'Lab results', refuseHeaders: true });
    const event = sendEvent();

    await handleMessageSend(event, item, sealpost().api);

    expect(state.headers).toEqual({});
    expect(state.subject).toBe('[encrypt] Lab results');
    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
    expect(protectionOf(state)).toMatchObject({ required: true, reasons: ['subject tag'] });
  });

  it('uses the default tag when Sealpost cannot be reached', async () => {
    const { item, state } = install({ secure: true, subject: 'Lab results' });
    const event = sendEvent();

    await handleMessageSend(event, item, sealpost('unreachable').api);

    expect(state.subject).toBe(`${DEFAULT_SUBJECT_TAG} Lab results`);
    expect(state.headers).toEqual({ 'X-Sealpost-Encrypt': '1' });
    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
  });

  it('reads no draft text when Send securely is on', async () => {
    const { item } = install({ secure: true, body: 'SSN 123-45-6789' });
    const { api, calls } = sealpost();

    await handleMessageSend(sendEvent(), item, api);

    expect(calls).toEqual([{ path: '/v1/addin/settings', body: undefined }]);
  });

  it('stops the send with a Smart Alert offering Send securely when PHI is detected', async () => {
    const { item, state } = install({ subject: 'Results', body: 'SSN 123-45-6789' });
    const { api, calls } = sealpost({ phiDetected: true, detectors: ['ssn'] });
    const event = sendEvent();

    await handleMessageSend(event, item, api);

    expect(event.completed).toHaveBeenCalledWith({
      allowEvent: false,
      errorMessage: PHI_ALERT_MESSAGE,
      cancelLabel: 'Send securely',
      commandId: TASK_PANE_COMMAND_ID,
      contextData: JSON.stringify({ reason: 'phi' }),
      sendModeOverride: 'promptUser',
    });
    expect(calls).toEqual([
      { path: '/v1/addin/phi-check', body: { subject: 'Results', text: 'SSN 123-45-6789' } },
    ]);
    expect(state.subject).toBe('Results');
    expect(state.headers).toEqual({});
  });

  it('lets a draft without PHI go as it is', async () => {
    const { item, state } = install({ subject: 'Lunch', body: 'See you at noon' });
    const event = sendEvent();

    await handleMessageSend(event, item, sealpost({ phiDetected: false }).api);

    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
    expect(state.subject).toBe('Lunch');
    expect(state.headers).toEqual({});
  });

  it('lets the send go on when Sealpost cannot be reached (the gateway enforces)', async () => {
    const { item } = install({ body: 'SSN 123-45-6789' });
    const event = sendEvent();

    await handleMessageSend(event, item, sealpost('unreachable').api);

    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
  });
});
