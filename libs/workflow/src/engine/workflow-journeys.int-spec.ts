import { type AuthContext } from '@sealpost/core';
import { ContactsService } from '../contacts/contacts.service';
import { WorkflowStatsService } from '../stats/workflow-stats.service';
import { DAY, EngineHarness } from '../testing/engine-test-kit';
import { WorkflowsService } from '../workflows/workflows.service';
import { EnrollContactsUseCase } from './enroll-contacts.use-case';
import { RecordEventUseCase } from './record-event.use-case';
import { RunEnrollmentUseCase } from './run-enrollment.use-case';

describe('Workflow journeys (real PostgreSQL and Redis, clock moved)', () => {
  const engine = new EngineHarness();
  let caller: AuthContext;
  let template: string;

  beforeAll(async () => {
    await engine.start();
    caller = await engine.aCaller();
    template = await engine.aTemplate(caller);
  });

  afterAll(() => engine.stop());

  const enroll = (workflowId: string, ...contactIds: string[]) =>
    engine.get(EnrollContactsUseCase).execute(caller, workflowId, { contactIds });
  const send = (id: string, next: string, templateId = template) => ({
    id,
    type: 'send_email',
    templateId,
    next,
  });
  const wait = (id: string, next: string, duration = 'P1D') => ({
    id,
    type: 'wait_time',
    wait: { kind: 'duration', duration },
    next,
  });
  const end = { id: 'end', type: 'end' };

  it('moves a contact into another workflow, and stops when it was there before', async () => {
    const target = await engine.aWorkflow(caller, {
      start: 'intro',
      steps: [send('intro', 'care'), send('care', 'end'), end],
    });
    const source = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [
        send('hello', 'jump'),
        { id: 'jump', type: 'goto', target: 'care', workflowId: target },
      ],
    });
    const fresh = await engine.aContact(caller);
    const alreadyThere = await engine.aContact(caller);
    await enroll(target, alreadyThere);
    await engine.settle();

    await enroll(source, fresh, alreadyThere);
    await engine.settle();

    expect(await engine.runs(caller, source, fresh)).toEqual([
      ['hello', 'sent'],
      ['jump', 'moved'],
    ]);
    expect(await engine.runs(caller, target, fresh)).toEqual([
      ['care', 'sent'],
      ['end', 'ended'],
    ]);
    expect(await engine.runs(caller, source, alreadyThere)).toEqual([
      ['hello', 'sent'],
      ['jump', 'loop_stopped'],
    ]);
    expect((await engine.enrollment(caller, source, alreadyThere)).ended_reason).toBe(
      'loop_stopped',
    );
  });

  it('ends the path instead of looping when a Go To names a visited step', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [
        send('hello', 'pause'),
        wait('pause', 'again'),
        { id: 'again', type: 'goto', target: 'hello' },
      ],
    });
    const contactId = await engine.aContact(caller);

    await enroll(workflowId, contactId);
    await engine.settle();
    await engine.advance(DAY);
    await engine.advance(DAY);

    expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
    expect(await engine.enrollment(caller, workflowId, contactId)).toMatchObject({
      state: 'completed',
      ended_reason: 'loop_stopped',
    });
    expect(await engine.runs(caller, workflowId, contactId)).toContainEqual([
      'again',
      'loop_stopped',
    ]);
  });

  it('never enrolls a contact again in a workflow it completed', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [send('hello', 'end'), end],
    });
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    await engine.settle();

    const again = await enroll(workflowId, contactId);
    await engine.settle();

    expect(again).toEqual({ enrolled: 0, skipped: 1 });
    expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
  });

  it('lets an unsubscribed contact leave at its next send, without sending it', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'first',
      steps: [send('first', 'pause'), wait('pause', 'second'), send('second', 'end'), end],
    });
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    await engine.settle();

    await engine
      .get(ContactsService)
      .update(caller.organisationId, contactId, { unsubscribed: true });
    await engine.advance(DAY);

    expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
    expect(await engine.enrollment(caller, workflowId, contactId)).toMatchObject({
      state: 'left',
      ended_reason: 'unsubscribed',
    });
  });

  it('keeps enrolled contacts on their version when a new one is published', async () => {
    const otherTemplate = await engine.aTemplate(caller, 'Version two for {{contact.name}}');
    const v1 = {
      start: 'first',
      steps: [send('first', 'pause'), wait('pause', 'second'), send('second', 'end'), end],
    };
    const workflowId = await engine.aWorkflow(caller, v1);
    const early = await engine.aContact(caller);
    await enroll(workflowId, early);
    await engine.settle();

    const v2 = {
      ...v1,
      steps: [...v1.steps.slice(0, 2), send('second', 'end', otherTemplate), end],
    };
    const published = await engine
      .get(WorkflowsService)
      .update(caller, workflowId, { definition: v2 });
    const late = await engine.aContact(caller);
    await enroll(workflowId, late);
    await engine.settle();
    await engine.advance(DAY);

    const versions = async (contactId: string) =>
      (await engine.messagesTo(caller, contactId)).map((m) => m.metadata.workflowVersion);
    expect(published.version).toBe(2);
    expect(await versions(early)).toEqual(['1', '1']);
    expect(await versions(late)).toEqual(['2', '2']);
  });

  it('sends a step once: a retried job or a lost commit reuses the first message', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [send('hello', 'end'), end],
    });
    const contactId = await engine.aContact(caller);
    await enroll(workflowId, contactId);
    const [enrollment] = await engine.dataSource.query<{ id: string }[]>(
      'SELECT id FROM workflow_enrollments WHERE workflow_id = $1',
      [workflowId],
    );
    const job = {
      v: 1 as const,
      organisationId: caller.organisationId,
      enrollmentId: enrollment.id,
      revision: 0,
    };
    const runner = engine.get(RunEnrollmentUseCase);

    await runner.execute(job);
    await runner.execute(job);
    // As if the commit after the send was lost: the enrollment is back at the send step.
    await engine.dataSource.query(
      `UPDATE workflow_enrollments SET revision = 0, state = 'active', current_step = 'hello',
         visited = ARRAY['hello'], due_at = $2, ended_reason = NULL WHERE id = $1`,
      [enrollment.id, engine.clock.now()],
    );
    await engine.dataSource.query('DELETE FROM workflow_step_runs WHERE enrollment_id = $1', [
      enrollment.id,
    ]);
    await runner.execute(job);

    expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
    expect(await engine.runs(caller, workflowId, contactId)).toEqual([
      ['hello', 'sent'],
      ['end', 'ended'],
    ]);
  });

  it('holds due contacts while paused and moves them on resume', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [send('hello', 'end'), end],
    });
    const contactId = await engine.aContact(caller);
    const workflows = engine.get(WorkflowsService);
    await workflows.pause(caller, workflowId);

    await enroll(workflowId, contactId);
    await engine.settle();
    const whilePaused = await engine.messagesTo(caller, contactId);
    await workflows.resume(caller, workflowId);
    await engine.settle();

    expect(whilePaused).toHaveLength(0);
    expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
  });

  it('enrolls on an API event, renders its data; a missing value fails that contact', async () => {
    const withTrigger = await engine.aTemplate(caller, 'Your visit at {{trigger.clinic}}');
    const workflowId = await engine.aWorkflow(caller, {
      start: 'confirm',
      triggers: [{ type: 'event', eventType: 'appointment_booked' }],
      steps: [send('confirm', 'end', withTrigger), end],
    });
    const complete = await engine.aContact(caller);
    const incomplete = await engine.aContact(caller);
    const events = engine.get(RecordEventUseCase);

    const recorded = await events.execute(caller, {
      type: 'appointment_booked',
      contactId: complete,
      data: { clinic: 'North' },
    });
    await events.execute(caller, { type: 'appointment_booked', contactId: incomplete, data: {} });
    await engine.settle();

    expect(recorded.enrollments).toEqual([
      { workflowId, enrollmentId: expect.any(String) as string },
    ]);
    expect(await engine.messagesTo(caller, complete)).toHaveLength(1);
    expect(await engine.enrollment(caller, workflowId, incomplete)).toMatchObject({
      state: 'failed',
      ended_reason: 'missing_value:trigger.clinic',
    });
    const [stored] = await engine.dataSource.query<{ trigger_ciphertext: Buffer }[]>(
      'SELECT trigger_ciphertext FROM workflow_enrollments WHERE id = $1',
      [recorded.enrollments[0].enrollmentId],
    );
    expect(stored.trigger_ciphertext.toString('latin1')).not.toContain('North');
  });

  it('counts per step: active now, processed, outcomes', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'hello',
      steps: [send('hello', 'pause'), wait('pause', 'end'), end],
    });
    const contacts = [await engine.aContact(caller), await engine.aContact(caller)];
    await enroll(workflowId, ...contacts);
    await engine.settle();

    const stats = await engine.get(WorkflowStatsService).get(caller, workflowId);

    expect(stats.enrollments).toEqual({ total: 2, active: 2, completed: 0, left: 0, failed: 0 });
    expect(stats.steps).toEqual([
      { stepId: 'hello', type: 'send_email', active: 0, processed: 2, outcomes: { sent: 2 } },
      { stepId: 'pause', type: 'wait_time', active: 2, processed: 0, outcomes: {} },
      { stepId: 'end', type: 'end', active: 0, processed: 0, outcomes: {} },
    ]);
  });

  it('does not show or enroll into a workflow of another organisation (not found)', async () => {
    const workflowId = await engine.aWorkflow(caller, { start: 'end', steps: [end] });
    const stranger = await engine.aCaller();

    await expect(engine.get(WorkflowsService).get(stranger, workflowId)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      engine.get(EnrollContactsUseCase).execute(stranger, workflowId, { contactIds: [] }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(engine.get(WorkflowStatsService).get(stranger, workflowId)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
