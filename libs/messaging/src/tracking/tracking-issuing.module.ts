import { Module } from '@nestjs/common';
import { OrganisationSettingsService } from './organisation-settings.service';
import { TrackingDecorator } from './tracking-decorator';
import { TrackingTokens } from './tracking-tokens';

/** Signing tracking tokens and decorating HTML copies: what delivery needs of tracking. */
@Module({
  providers: [TrackingTokens, OrganisationSettingsService, TrackingDecorator],
  exports: [TrackingTokens, OrganisationSettingsService, TrackingDecorator],
})
export class TrackingIssuingModule {}
