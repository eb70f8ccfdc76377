export * from './audit-record-views';
export * from './audit-records.query';
