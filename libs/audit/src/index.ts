// Tamper-evident audit log, message events, reports and outbound webhooks.
// Each feature folder adds its exports here.
export {};
export * from './webhooks';
