export * from './test-database';
export * from './fake-clock';
export * from './capturing-logger';
