export * from './smtp-sink';
export * from './test-ca';
export * from './postfix-dsn';
