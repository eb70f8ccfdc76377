// Tamper-evident audit log, message events, reports and outbound webhooks.
// Each feature folder adds its exports here.
export * from './audit-jobs.module';
export * from './audit.module';
export * from './chain';
export * from './checkpoints';
export * from './jobs';
export * from './records';
export * from './reports';
export * from './verification';
export * from './webhooks';
