import { Module } from '@nestjs/common';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPurgeService } from './retention-purge.service';

/** Reading and setting an organisation's retention policy: what the API needs. */
@Module({
  providers: [RetentionPoliciesService],
  exports: [RetentionPoliciesService],
})
export class RetentionPolicyModule {}

/** The purge that carries policies out, every quarter of an hour: what the worker runs. */
@Module({
  providers: [RetentionPurgeService],
  exports: [RetentionPurgeService],
})
export class RetentionPurgeModule {}
