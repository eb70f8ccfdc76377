/** The Bull queue the worker executes due enrollments from. */
export const WORKFLOW_QUEUE = 'workflow';
export const WORKFLOW_JOB = 'run-enrollment';
