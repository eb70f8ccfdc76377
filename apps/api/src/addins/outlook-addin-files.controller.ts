import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  ErrorCode,
  PublicRoute,
  SEALPOST_CONFIG,
  type SealpostConfig,
  SealpostError,
} from '@sealpost/core';
import {
  type AddinAssets,
  addinIconPng,
  derivedAddinId,
  ICON_SIZES,
  outlookUnifiedManifest,
  outlookXmlManifest,
} from '@sealpost/outlook-addin';
import type { Response } from 'express';
import { OUTLOOK_ADDIN_ASSETS } from './addin-assets.provider';
import { IMMUTABLE_CACHE, SHORT_CACHE, sendAddinFile } from './addin-http-headers';

/**
 * The Outlook add-in as Office fetches it: both manifests made for this install's public URL,
 * the icons, and the bundled pages and scripts. No PHI here, so everything may be cached.
 */
@ApiExcludeController()
@Controller('addins/outlook')
export class OutlookAddinFilesController {
  private readonly icons = new Map(ICON_SIZES.map((size) => [size, addinIconPng(size)]));
  private readonly outline = addinIconPng(32, 'outline');

  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    @Inject(OUTLOOK_ADDIN_ASSETS) private readonly assets: AddinAssets | null,
  ) {}

  @Get('manifest.xml')
  @PublicRoute()
  xmlManifest(@Res() response: Response): void {
    const body = outlookXmlManifest(this.config.portal.publicUrl, this.addinId());
    sendAddinFile(response, body, 'application/xml; charset=utf-8', SHORT_CACHE);
  }

  @Get('manifest.json')
  @PublicRoute()
  unifiedManifest(@Res() response: Response): void {
    const body = outlookUnifiedManifest(this.config.portal.publicUrl, this.addinId());
    sendAddinFile(response, JSON.stringify(body, null, 2), 'application/json', SHORT_CACHE);
  }

  @Get(':file')
  @PublicRoute()
  file(@Param('file') file: string, @Res() response: Response): void {
    const icon = this.icon(file);
    if (icon) {
      sendAddinFile(response, icon, 'image/png', SHORT_CACHE);
      return;
    }

    const asset = this.assets?.catalog[file];
    const body = asset ? this.assets?.read(file) : null;
    if (!asset || !body) {
      throw new SealpostError(ErrorCode.NotFound, 'No such add-in file.');
    }
    // The send handler may run without a page to learn the api's address from, so its script
    // is told here, as the manifests are.
    const baseUrl = JSON.stringify(this.config.portal.publicUrl);
    const served =
      file === 'commands.js'
        ? `var SEALPOST_BASE_URL = ${baseUrl};\n${body.toString('utf8')}`
        : body;
    sendAddinFile(
      response,
      served,
      asset.contentType,
      asset.immutable ? IMMUTABLE_CACHE : SHORT_CACHE,
    );
  }

  private icon(file: string): Buffer | undefined {
    const named = /^icon-(\d+)\.png$/.exec(file);
    if (named) {
      return this.icons.get(Number(named[1]) as (typeof ICON_SIZES)[number]);
    }
    // The unified manifest's app package names its two icons so.
    if (file === 'color.png') {
      return this.icons.get(192);
    }
    return file === 'outline.png' ? this.outline : undefined;
  }

  private addinId(): string {
    return this.config.addins.outlookAddinId ?? derivedAddinId(this.config.portal.publicUrl);
  }
}
