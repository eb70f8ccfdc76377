import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import Redis from 'ioredis';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { eventually, report } from './support/load';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(5).toString('hex');
const PUBLIC_URL = 'https://mail.sealpost.test';
const TRACKED = /https:\/\/mail\.sealpost\.test(\/t\/([oc])\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;
const SCOPES = 'messages:read,contacts:write,templates:manage,workflows:manage,events:write';
const FAULT_CONTACTS = 40;

describe('workflow journeys through the running apps', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let org: { id: string; token: string };
  const phi: string[] = [];

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-workflow-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `journey.test=127.0.0.1:${sink.port}`,
        SEALPOST_PUBLIC_URL: PUBLIC_URL,
        // Short delivery leases so copies the killed worker held are retried within the test.
        SEALPOST_DELIVERY_LEASE_SECONDS: '5',
      },
    });
    org = await stack.organisation(SCOPES);
  });

  afterAll(async () => {
    await stack?.stop();
    await sink?.close();
  });

  async function post(path: string, body: unknown): Promise<any> {
    const reply = await stack.request('POST', path, { token: org.token, body });
    if (reply.status >= 300) {
      throw new Error(`${path} answered ${reply.status}: ${reply.text}`);
    }
    return reply.body;
  }

  async function aContact(): Promise<{ id: string; email: string }> {
    const email = `patient.${unique()}@journey.test`;
    phi.push(email);
    const contact = await post('/v1/contacts', { email, name: 'Pat Doe' });
    return { id: contact.id, email };
  }

  async function aTemplate(subject: string, html: string): Promise<string> {
    phi.push(subject);
    return (await post('/v1/templates', { name: `t-${unique()}`, subject, html })).id;
  }

  function subjectOf(raw: Buffer): string {
    return /^Subject: (.*)$/m.exec(raw.toString())?.[1] ?? '';
  }

  function received(to: string) {
    return sink.messages.filter((message) => message.to.includes(to));
  }

  it('runs a triggered journey: email, pixel, click, clicked branch, counts', async () => {
    const booking = `https://clinic.example/book/${unique()}`;
    phi.push(booking);
    const invite = await aTemplate(
      `Book your check-up ${unique()}`,
      `<p>Dear {{contact.name}}, <a href="${booking}">book here</a>.</p>`,
    );
    const thanks = await aTemplate(`Thanks ${unique()}`, '<p>See you soon.</p>');
    const nudge = await aTemplate(`Reminder ${unique()}`, '<p>Still time to book.</p>');
    const workflow = await post('/v1/workflows', {
      name: 'Check-up outreach',
      settings: { senderName: 'North Clinic', senderAddress: 'clinic@sender.test' },
      definition: {
        start: 'invite',
        triggers: [{ type: 'event', eventType: 'form_submitted' }],
        steps: [
          { id: 'invite', type: 'send_email', templateId: invite, next: 'await' },
          {
            id: 'await',
            type: 'wait_event',
            event: { kind: 'clicked', stepId: 'invite' },
            timeout: 'PT10M',
            next: 'split',
            timeoutNext: 'split',
          },
          {
            id: 'split',
            type: 'branch',
            conditions: [{ when: { kind: 'clicked', stepId: 'invite' }, next: 'thanks' }],
            fallback: 'nudge',
          },
          { id: 'thanks', type: 'send_email', templateId: thanks, next: 'end' },
          { id: 'nudge', type: 'send_email', templateId: nudge, next: 'end' },
          { id: 'end', type: 'end' },
        ],
      },
    });
    const contact = await aContact();

    const event = await post('/v1/events', {
      type: 'form_submitted',
      email: contact.email,
      data: { source: 'web' },
    });
    expect(event.enrollments).toEqual([expect.objectContaining({ workflowId: workflow.id })]);
    await eventually(() => received(contact.email).length >= 1, 60_000, 'the invite');
    const html = (await simpleParser(received(contact.email)[0].raw)).html;
    const links = [...String(html).matchAll(TRACKED)].map(([, path, kind]) => ({ path, kind }));
    const pixel = links.find((link) => link.kind === 'o');
    const click = links.find((link) => link.kind === 'c');
    expect(pixel && click).toBeTruthy();
    expect((await fetch(stack.url(pixel?.path ?? ''))).status).toBe(200);
    const redirect = await fetch(stack.url(click?.path ?? ''), { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe(booking);

    await eventually(() => received(contact.email).length >= 2, 60_000, 'the clicked branch');
    const second = await simpleParser(received(contact.email)[1].raw);
    const stats = await stack.request('GET', `/v1/workflows/${workflow.id}/stats`, {
      token: org.token,
    });
    const funnel = await stack.request('GET', `/v1/workflows/${workflow.id}/funnel.svg`, {
      token: org.token,
    });

    expect(second.subject).toMatch(/^Thanks /);
    const byStep = Object.fromEntries(
      stats.body.steps.map((step: { stepId: string; outcomes: object }) => [
        step.stepId,
        step.outcomes,
      ]),
    );
    expect(byStep).toEqual({
      invite: { sent: 1 },
      await: { event: 1 },
      split: { branch_1: 1 },
      thanks: { sent: 1 },
      nudge: {},
      end: { ended: 1 },
    });
    expect(stats.body.enrollments).toMatchObject({ total: 1, completed: 1 });
    expect(funnel.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(funnel.text).toContain('thanks (send_email)');
  });

  it('loses no enrollment, sends no step twice: Redis flushed, worker killed', async () => {
    const first = await aTemplate(`Welcome ${unique()}`, '<p>Welcome.</p>');
    const second = await aTemplate(`Follow-up ${unique()}`, '<p>How are you?</p>');
    const workflow = await post('/v1/workflows', {
      name: 'Fault journey',
      settings: { senderAddress: 'clinic@sender.test' },
      definition: {
        start: 'welcome',
        steps: [
          { id: 'welcome', type: 'send_email', templateId: first, next: 'pause' },
          {
            id: 'pause',
            type: 'wait_time',
            wait: { kind: 'duration', duration: 'PT3S' },
            next: 'follow',
          },
          { id: 'follow', type: 'send_email', templateId: second, next: 'end' },
          { id: 'end', type: 'end' },
        ],
      },
    });
    const contacts: { id: string; email: string }[] = [];
    for (let i = 0; i < FAULT_CONTACTS; i += 1) {
      contacts.push(await aContact());
    }
    const enrolled = await post(`/v1/workflows/${workflow.id}/enrollments`, {
      contactIds: contacts.map((contact) => contact.id),
    });
    expect(enrolled).toEqual({ enrolled: FAULT_CONTACTS, skipped: 0 });
    const sentTo = () => contacts.filter((c) => received(c.email).length > 0).length;
    await eventually(() => sentTo() >= 5, 60_000, 'the first welcomes');

    const redis = new Redis(stack.env.REDIS_URL);
    const keys = await redis.keys(`${stack.env.SEALPOST_QUEUE_PREFIX}:*`);
    if (keys.length) {
      await redis.del(...keys);
    }
    redis.disconnect();
    await stack.crashAndRestart(stack.workers[0]);

    const completed = async () => {
      const [row] = await stack.sql<{ n: string }>(
        `SELECT count(*) AS n FROM workflow_enrollments
          WHERE workflow_id = $1 AND state = 'completed'`,
        [workflow.id],
      );
      return Number(row.n);
    };
    const crashedAt = Date.now();
    await eventually(async () => (await completed()) === FAULT_CONTACTS, 120_000, 'completion');
    const completedAfter = Date.now() - crashedAt;
    await eventually(
      () => contacts.every((contact) => received(contact.email).length >= 2),
      120_000,
      'every follow-up at the sink',
    );
    const perStep = await stack.sql<{ n: string }>(
      `SELECT count(*) AS n FROM messages WHERE metadata ->> 'workflowId' = $1
        GROUP BY metadata ->> 'enrollmentId', metadata ->> 'stepId'`,
      [workflow.id],
    );
    const subjects = contacts.map(
      (contact) => new Set(received(contact.email).map((message) => subjectOf(message.raw))),
    );
    const copies = contacts.reduce((sum, contact) => sum + received(contact.email).length, 0);

    report(
      `workflow fault (Redis flushed, worker SIGKILL, ${FAULT_CONTACTS} contacts): ` +
        `${await completed()} completed ${completedAfter} ms after the crash; ` +
        `${copies - 2 * FAULT_CONTACTS} extra SMTP copies from delivery retries`,
    );
    // The engine accepted exactly one message per enrollment and step...
    expect(perStep).toHaveLength(FAULT_CONTACTS * 2);
    expect(perStep.every((row) => row.n === '1')).toBe(true);
    // ...and every contact got both steps' emails. A copy the killed worker was handing to
    // the sink may arrive twice: that is delivery's at-least-once SMTP, not a second send.
    expect(subjects.every((seen) => seen.size === 2)).toBe(true);
  });

  it('writes no address, subject or link to the logs', () => {
    const logs = stack.logs();

    expect(logs).toContain('workflow step taken');
    for (const value of phi) {
      expect(logs).not.toContain(value);
    }
  });
});
