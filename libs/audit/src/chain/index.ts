export * from './audit-record';
export * from './canonical-record';
export * from './chained-audit-log';
export * from './standalone-audit-log';
