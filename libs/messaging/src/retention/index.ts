export * from './retention-policies.service';
export * from './retention-purge.service';
export * from './retention.module';
