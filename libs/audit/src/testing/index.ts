export * from './audit-test-kit';
