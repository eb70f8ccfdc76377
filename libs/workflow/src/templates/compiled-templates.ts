import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CompiledTemplate } from './compiled-template';
import { TemplatesRepository } from './templates.repository';

// A journey renders one template for thousands of contacts: compiling and unsealing it once
// per few seconds instead of per contact. An edit made in another process shows within TTL.
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 1_000;

/** Compiled templates by organisation and id, read through a short-lived cache. */
@Injectable()
export class CompiledTemplates {
  private readonly cache = new LRUCache<string, CompiledTemplate>({
    max: CACHE_MAX,
    ttl: CACHE_TTL_MS,
  });

  constructor(private readonly templates: TemplatesRepository) {}

  async get(organisationId: string, templateId: string): Promise<CompiledTemplate | null> {
    const key = `${organisationId}:${templateId}`;
    const cached = this.cache.get(key);
    if (cached) {
      return cached;
    }
    const stored = await this.templates.find(organisationId, templateId);
    if (!stored) {
      return null;
    }
    const compiled = new CompiledTemplate(stored.parts);
    this.cache.set(key, compiled);
    return compiled;
  }

  /** After an edit or delete in this process, so its next render reads the new version. */
  forget(organisationId: string, templateId: string): void {
    this.cache.delete(`${organisationId}:${templateId}`);
  }
}
