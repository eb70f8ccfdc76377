import { Module } from '@nestjs/common';
import { GmailAddonModule } from '@sealpost/gmail-addon';
import { ProtectionModule } from '@sealpost/messaging';
import { AddinChecksController } from './addin-checks.controller';
import { builtOutlookAddinAssets, OUTLOOK_ADDIN_ASSETS } from './addin-assets.provider';
import { AddinTokensController } from './addin-tokens.controller';
import { GmailAddonController } from './gmail-addon.controller';
import { OutlookAddinFilesController } from './outlook-addin-files.controller';

/** The Outlook add-in and Gmail add-on: their files, manifests, tokens and backends. */
@Module({
  imports: [ProtectionModule, GmailAddonModule],
  controllers: [
    AddinTokensController,
    AddinChecksController,
    OutlookAddinFilesController,
    GmailAddonController,
  ],
  providers: [{ provide: OUTLOOK_ADDIN_ASSETS, useFactory: () => builtOutlookAddinAssets() }],
})
export class AddinsHttpModule {}
