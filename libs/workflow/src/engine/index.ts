export * from './engine.constants';
export * from './enroll-contacts.use-case';
export * from './record-event.use-case';
export * from './run-enrollment.use-case';
export * from './trigger-sweeper';
export * from './workflow-engagement-sink';
export * from './workflow-job';
export * from './workflow-scheduler.service';
