import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { isPublicAddress } from './address-policy';
import { type ResolvedAddress, WebhookAddressResolver } from './webhook-address-resolver.port';

export type UrlCheck =
  { allowed: true; url: URL; addresses: ResolvedAddress[] } | { allowed: false; reason: string };

/**
 * The SSRF check. A URL passes when it is https (or private targets are allowed), carries no
 * credentials, and every address its host resolves to is public. The sender then connects to
 * one of exactly these addresses (see WebhookHttpSender), so a name that resolves differently
 * a moment later (DNS rebinding) cannot move the request inside the network.
 */
@Injectable()
export class WebhookUrlGuard {
  constructor(
    private readonly resolver: WebhookAddressResolver,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /** Syntax only, for a request body: the rules that need no DNS. */
  checkSyntax(raw: string): { url: URL } | { reason: string } {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { reason: 'not an absolute URL' };
    }
    const allowPrivate = this.config.webhooks.allowPrivateAddresses;
    if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
      return { reason: allowPrivate ? 'must be http or https' : 'must be https' };
    }
    if (url.username || url.password) {
      return { reason: 'must not carry credentials' };
    }
    if (url.hash) {
      return { reason: 'must not carry a fragment' };
    }
    return { url };
  }

  async check(raw: string): Promise<UrlCheck> {
    const syntax = this.checkSyntax(raw);
    if ('reason' in syntax) {
      return { allowed: false, reason: syntax.reason };
    }

    const hostname = syntax.url.hostname.replace(/^\[|\]$/g, '');
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolver.resolve(hostname);
    } catch {
      return { allowed: false, reason: 'the host name does not resolve' };
    }
    if (!addresses.length) {
      return { allowed: false, reason: 'the host name does not resolve' };
    }
    if (
      !this.config.webhooks.allowPrivateAddresses &&
      addresses.some((entry) => !isPublicAddress(entry.address))
    ) {
      return { allowed: false, reason: 'it points at a private, loopback or reserved address' };
    }
    return { allowed: true, url: syntax.url, addresses };
  }
}
