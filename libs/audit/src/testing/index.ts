export * from './audit-test-kit';
export * from './report-seed';
