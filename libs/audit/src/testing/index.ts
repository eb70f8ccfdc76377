export * from './audit-test-kit';
export * from './report-seed';
export { CapturingLogger } from '../webhooks/testing/webhook-test-kit';
