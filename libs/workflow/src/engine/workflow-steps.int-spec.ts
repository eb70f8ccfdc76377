import { type AuthContext } from '@sealpost/core';
import { DAY, EngineHarness, HOUR } from '../testing/engine-test-kit';
import { EnrollContactsUseCase } from './enroll-contacts.use-case';
import { WorkflowEngagementSink } from './workflow-engagement-sink';

describe('Workflow engine steps (real PostgreSQL and Redis, clock moved)', () => {
  const engine = new EngineHarness();
  let caller: AuthContext;
  let template: string;

  beforeAll(async () => {
    await engine.start();
    caller = await engine.aCaller();
    template = await engine.aTemplate(caller);
  });

  afterAll(() => engine.stop());

  async function enroll(workflowId: string, ...contactIds: string[]) {
    return engine.get(EnrollContactsUseCase).execute(caller, workflowId, { contactIds });
  }

  const send = (id: string, next: string) => ({
    id,
    type: 'send_email',
    templateId: template,
    next,
  });
  const end = { id: 'end', type: 'end' };

  it('sends at once, waits PT48H, then ends; the email carries the workflow metadata', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [
        send('hello', 'pause'),
        {
          id: 'pause',
          type: 'wait_time',
          wait: { kind: 'duration', duration: 'PT48H' },
          next: 'end',
        },
        end,
      ],
    });
    const contactId = await engine.aContact(caller);

    await enroll(workflowId, contactId);
    await engine.settle();
    const [message] = await engine.messagesTo(caller, contactId);
    const { id: enrollmentId } = (
      await engine.dataSource.query<{ id: string }[]>(
        'SELECT id FROM workflow_enrollments WHERE contact_id = $1',
        [contactId],
      )
    )[0];

    expect(message.metadata).toEqual({
      workflowId,
      workflowVersion: '1',
      stepId: 'hello',
      enrollmentId,
      contactId,
    });
    expect(await engine.enrollment(caller, workflowId, contactId)).toMatchObject({
      state: 'waiting',
      current_step: 'pause',
    });
    await engine.advance(47 * HOUR);
    expect((await engine.enrollment(caller, workflowId, contactId)).state).toBe('waiting');
    await engine.advance(HOUR);
    expect(await engine.enrollment(caller, workflowId, contactId)).toMatchObject({
      state: 'completed',
      ended_reason: 'completed',
    });
    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['hello', 'sent'],
      ['pause', 'waited'],
      ['end', 'ended'],
    ]);
  });

  it('waits until 48 hours before a contact field, in the contact zone', async () => {
    await engine.defineField(caller, 'appointment_at', 'datetime');
    const workflowId = await engine.aWorkflow(caller, {
      start: 'before',
      steps: [
        {
          id: 'before',
          type: 'wait_time',
          wait: {
            kind: 'relative_to_field',
            field: 'appointment_at',
            direction: 'before',
            duration: 'PT48H',
          },
          next: 'remind',
        },
        send('remind', 'end'),
        end,
      ],
    });
    const now = engine.clock.now().getTime();
    const appointment = new Date(now + 5 * DAY).toISOString();
    const withDate = await engine.aContact(caller, { fields: { appointment_at: appointment } });
    const without = await engine.aContact(caller);

    await enroll(workflowId, withDate, without);
    await engine.settle();
    await engine.advance(3 * DAY - HOUR);
    const earlyMessages = await engine.messagesTo(caller, withDate);
    await engine.advance(HOUR);

    expect(earlyMessages).toHaveLength(0);
    expect(await engine.messagesTo(caller, withDate)).toHaveLength(1);
    expect(await engine.enrollment(caller, workflowId, without)).toMatchObject({
      state: 'failed',
      ended_reason: 'missing_value:contact.fields.appointment_at',
    });
  });

  it('holds a window wait until Thursday 12:00 in Chicago', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'window',
      steps: [
        {
          id: 'window',
          type: 'wait_time',
          wait: {
            kind: 'window',
            days: ['thu'],
            from: '12:00',
            to: '14:00',
            timeZone: 'America/Chicago',
          },
          next: 'end',
        },
        end,
      ],
    });
    const contactId = await engine.aContact(caller);
    engine.clock.set(new Date('2026-11-02T15:00:00Z')); // Monday after the fall-back

    await enroll(workflowId, contactId);
    await engine.settle();
    const [{ due_at: due }] = await engine.dataSource.query<{ due_at: Date }[]>(
      'SELECT due_at FROM workflow_enrollments WHERE workflow_id = $1',
      [workflowId],
    );
    engine.clock.set(new Date('2026-11-05T18:00:00Z'));
    await engine.settle();

    expect(due.toISOString()).toBe('2026-11-05T18:00:00.000Z');
    expect((await engine.enrollment(caller, workflowId, contactId)).state).toBe('completed');
  });

  function waitForClick() {
    return {
      start: 'invite',
      steps: [
        send('invite', 'await'),
        {
          id: 'await',
          type: 'wait_event',
          event: { kind: 'clicked', stepId: 'invite' },
          timeout: 'P3D',
          next: 'thanks',
          timeoutNext: 'nudge',
        },
        send('thanks', 'end'),
        send('nudge', 'end'),
        end,
      ],
    };
  }

  it('takes the event path when the sink reports a click before the timeout', async () => {
    const workflowId = await engine.aWorkflow(caller, waitForClick());
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    await engine.settle();
    const [invite] = await engine.messagesTo(caller, contactId);

    await engine.advance(DAY);
    await engine.engagement(caller, invite, 'clicked');
    await engine.get(WorkflowEngagementSink).record({
      organisationId: caller.organisationId,
      messageId: invite.id,
      recipientId: invite.recipient_id,
      type: 'clicked',
      at: engine.clock.now(),
    });
    await engine.settle();

    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['invite', 'sent'],
      ['await', 'event'],
      ['thanks', 'sent'],
      ['end', 'ended'],
    ]);
  });

  it('takes the timeout path when no click comes, and not a moment before', async () => {
    const workflowId = await engine.aWorkflow(caller, waitForClick());
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    await engine.settle();
    const [invite] = await engine.messagesTo(caller, contactId);
    await engine.engagement(caller, invite, 'opened');

    await engine.advance(3 * DAY - 1000);
    const before = await engine.runs(caller, workflowId, contactId);
    await engine.advance(1000);

    expect(before).toEqual([['invite', 'sent']]);
    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['invite', 'sent'],
      ['await', 'timed_out'],
      ['nudge', 'sent'],
      ['end', 'ended'],
    ]);
  });

  it('wakes a contact_updated wait when the contact changes, at the next recheck', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'await',
      steps: [
        {
          id: 'await',
          type: 'wait_event',
          event: { kind: 'contact_updated' },
          timeout: 'P7D',
          next: 'end',
          timeoutNext: 'end',
        },
        end,
      ],
    });
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    await engine.settle();

    await engine.advance(HOUR);
    await engine.dataSource.query(`UPDATE contacts SET updated_at = $1 WHERE id = $2`, [
      engine.clock.now(),
      contactId,
    ]);
    await engine.advance(10 * 60 * 1000);

    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['await', 'event'],
      ['end', 'ended'],
    ]);
  });

  it('branches on an open: first match wins, else the fallback', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'invite',
      steps: [
        send('invite', 'pause'),
        {
          id: 'pause',
          type: 'wait_time',
          wait: { kind: 'duration', duration: 'P1D' },
          next: 'split',
        },
        {
          id: 'split',
          type: 'branch',
          conditions: [
            { when: { kind: 'opened', stepId: 'invite' }, next: 'end' },
            { when: { kind: 'opened' }, next: 'end' },
          ],
          fallback: 'again',
        },
        send('again', 'end'),
        end,
      ],
    });
    const opener = await engine.aContact(caller);
    const other = await engine.aContact(caller);
    await enroll(workflowId, opener, other);
    await engine.settle();
    const [invite] = await engine.messagesTo(caller, opener);
    await engine.engagement(caller, invite, 'opened');

    await engine.advance(DAY);

    expect(await engine.runs(caller, workflowId, opener)).toContainEqual(['split', 'branch_1']);
    expect(await engine.runs(caller, workflowId, other)).toContainEqual(['split', 'fallback']);
    expect(await engine.messagesTo(caller, other)).toHaveLength(2);
  });

  it('adds the contact to a list; joining enrolls it in a list-triggered workflow', async () => {
    const [{ id: listId }] = await engine.dataSource.query<{ id: string }[]>(
      `INSERT INTO contact_lists (id, organisation_id, name)
       VALUES (gen_random_uuid(), $1, 'after-visit') RETURNING id`,
      [caller.organisationId],
    );
    const followUp = await engine.aWorkflow(caller, {
      start: 'end',
      triggers: [{ type: 'list_joined', listId }],
      steps: [end],
    });
    const workflowId = await engine.aWorkflow(caller, {
      start: 'add',
      steps: [{ id: 'add', type: 'add_to_list', listId, next: 'end' }, end],
    });
    const contactId = await engine.aContact(caller);

    await enroll(workflowId, contactId);
    await engine.settle();
    await engine.settle();

    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['add', 'added'],
      ['end', 'ended'],
    ]);
    expect((await engine.enrollment(caller, followUp, contactId)).state).toBe('completed');
  });
});
