import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { type WorkflowDefinition } from '../definitions/workflow-definition';
import { WorkflowsRepository } from '../workflows/workflows.repository';

// Versions never change once written, so a cached one is never stale; the bound only caps
// memory for organisations with many workflows.
const MAX_CACHED_VERSIONS = 1000;

/** Workflow versions as the engine reads them on every step. */
@Injectable()
export class DefinitionCache {
  private readonly cache = new LRUCache<string, WorkflowDefinition>({ max: MAX_CACHED_VERSIONS });

  constructor(private readonly workflows: WorkflowsRepository) {}

  async get(
    organisationId: string,
    workflowId: string,
    version: number,
  ): Promise<WorkflowDefinition | null> {
    const key = `${organisationId}:${workflowId}:${version}`;
    const cached = this.cache.get(key);
    if (cached) {
      return cached;
    }
    const definition = await this.workflows.findVersion(organisationId, workflowId, version);
    if (definition) {
      this.cache.set(key, definition);
    }
    return definition;
  }
}
