import { type AuthContext } from '@sealpost/core';
import { EngineHarness } from '../testing/engine-test-kit';
import { EnrollContactsUseCase } from './enroll-contacts.use-case';
import { RunEnrollmentUseCase } from './run-enrollment.use-case';
import { type QueuedWorkflowJob } from './workflow-job';
import { WorkflowScheduler } from './workflow-scheduler.service';

describe('Workflow batches (real PostgreSQL and Redis)', () => {
  const engine = new EngineHarness();
  let caller: AuthContext;

  beforeAll(async () => {
    await engine.start();
    caller = await engine.aCaller();
    await engine.defineField(caller, 'clinic', 'string');
  });

  afterAll(() => engine.stop());

  const journey = (templateId: string) =>
    engine.aWorkflow(caller, {
      start: 'hello',
      steps: [
        { id: 'hello', type: 'send_email', templateId, next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });

  const enrolled = async (count: number, fields: Record<string, unknown>[] = []) => {
    const contacts: string[] = [];
    for (let index = 0; index < count; index += 1) {
      contacts.push(
        await engine.aContact(caller, { fields: fields[index] ?? { clinic: 'North' } }),
      );
    }
    return contacts;
  };

  /** Dispatches what is due and takes the jobs out of Redis, as a worker would get them. */
  const dispatchedJobs = async (): Promise<QueuedWorkflowJob[]> => {
    await engine.get(WorkflowScheduler).dispatchOnce();
    const jobs = await engine.queue.getJobs(['waiting']);
    await Promise.all(jobs.map((job) => job.remove()));
    return jobs.map((job) => job.data);
  };

  it('hands due enrollments of one organisation to one batch job, ids only', async () => {
    const workflowId = await journey(await engine.aTemplate(caller));
    const contacts = await enrolled(3);
    await engine.get(EnrollContactsUseCase).execute(caller, workflowId, { contactIds: contacts });

    const jobs = await dispatchedJobs();

    expect(jobs).toEqual([
      {
        v: 2,
        organisationId: caller.organisationId,
        items: expect.arrayContaining([
          { enrollmentId: expect.any(String) as string, revision: 0 },
        ]) as unknown,
      },
    ]);
    expect(jobs[0].v === 2 && jobs[0].items).toHaveLength(3);
    await engine.get(RunEnrollmentUseCase).execute(jobs[0]);
    for (const contactId of contacts) {
      expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
    }
  });

  it('fails only the contact a template value is missing for; the batch goes on', async () => {
    const workflowId = await journey(
      await engine.aTemplate(caller, 'At {{contact.fields.clinic}}'),
    );
    const [first, lacking, last] = await enrolled(3, [
      { clinic: 'North' },
      {},
      { clinic: 'South' },
    ]);
    await engine
      .get(EnrollContactsUseCase)
      .execute(caller, workflowId, { contactIds: [first, lacking, last] });

    const [job] = await dispatchedJobs();
    const steps = await engine.get(RunEnrollmentUseCase).execute(job);

    expect(steps).toBe(5);
    expect(await engine.enrollment(caller, workflowId, lacking)).toMatchObject({
      state: 'failed',
      ended_reason: 'missing_value:contact.fields.clinic',
    });
    expect(await engine.messagesTo(caller, lacking)).toHaveLength(0);
    for (const contactId of [first, last]) {
      expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
      expect(await engine.enrollment(caller, workflowId, contactId)).toMatchObject({
        state: 'completed',
        ended_reason: 'completed',
      });
    }
  });

  it('rolls back a batch that crashed after accepting; run again, it sends each once', async () => {
    const workflowId = await journey(await engine.aTemplate(caller));
    const contacts = await enrolled(3);
    await engine.get(EnrollContactsUseCase).execute(caller, workflowId, { contactIds: contacts });
    const [broken] = await engine.dataSource.query<{ id: string }[]>(
      'SELECT id FROM workflow_enrollments WHERE workflow_id = $1 AND contact_id = $2',
      [workflowId, contacts[1]],
    );
    // A real fault where a crash hurts most: PostgreSQL refuses one contact's step runs, after
    // the batch's emails were accepted in its transaction.
    await engine.dataSource.query(`
      CREATE FUNCTION refuse_step_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.enrollment_id = '${broken.id}' THEN RAISE EXCEPTION 'disk on fire'; END IF;
        RETURN NEW;
      END $$`);
    await engine.dataSource.query(`
      CREATE TRIGGER refuse_step_run BEFORE INSERT ON workflow_step_runs
        FOR EACH ROW EXECUTE FUNCTION refuse_step_run()`);
    const runner = engine.get(RunEnrollmentUseCase);
    const [job] = await dispatchedJobs();

    const whileBroken = await runner.execute(job);
    const brokenWhileBroken = await engine.messagesTo(caller, contacts[1]);
    await engine.dataSource.query('DROP TRIGGER refuse_step_run ON workflow_step_runs');
    await engine.dataSource.query('DROP FUNCTION refuse_step_run()');
    // The same job again, as Bull or the scheduler's re-offer would run it.
    const retried = await runner.execute(job);
    const again = await runner.execute(job);

    expect([whileBroken, retried, again]).toEqual([4, 2, 0]);
    expect(brokenWhileBroken).toHaveLength(0);
    for (const contactId of contacts) {
      expect(await engine.messagesTo(caller, contactId)).toHaveLength(1);
      expect(await engine.runs(caller, workflowId, contactId)).toEqual([
        ['hello', 'sent'],
        ['end', 'ended'],
      ]);
    }
  });
});
