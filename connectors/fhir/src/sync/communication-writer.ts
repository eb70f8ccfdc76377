import type Client from 'fhir-kit-client';
import { type Communication, type CommunicationWrite } from '../mapping/communication-mapper';

/** Where the one Communication of a recipient stands on the server, when known. */
export interface WrittenVersion {
  id: string;
  version: string | null;
}

interface Stored {
  id?: string;
  meta?: { versionId?: string };
}

/**
 * The two ways of writing. Update servers: a versioned update (If-Match) when the id and
 * version are known, else a conditional update on the identifier, so the first write and
 * every retry land on the same resource. Create-only servers: conditional creates
 * (If-None-Exist), so a retried milestone is not written twice.
 */
export class CommunicationWriter {
  constructor(private readonly client: Client) {}

  async update(resource: Communication, known: WrittenVersion | null): Promise<WrittenVersion> {
    if (known?.version) {
      try {
        const stored = await this.client.update({
          resourceType: 'Communication',
          id: known.id,
          body: { ...resource, id: known.id },
          options: { headers: { 'if-match': `W/"${known.version}"` } },
        });
        return versionOf(stored, known.id);
      } catch (error) {
        // 412: someone else changed it; 404/410: it was deleted. Either way the identifier
        // still names our resource, so a conditional update settles it.
        if (![404, 410, 412].includes(statusOf(error) ?? 0)) {
          throw error;
        }
      }
    }
    const [identifier] = resource.identifier;
    const stored = await this.client.update({
      resourceType: 'Communication',
      searchParams: { identifier: `${identifier.system}|${identifier.value}` },
      body: resource,
    });
    return versionOf(stored, known?.id ?? '');
  }

  async createOnce(write: CommunicationWrite): Promise<void> {
    await this.client.create({
      resourceType: 'Communication',
      body: write.resource,
      options: {
        headers: {
          'if-none-exist': `identifier=${write.identifier.system}|${write.identifier.value}`,
        },
      },
    });
  }
}

function versionOf(stored: unknown, fallbackId: string): WrittenVersion {
  const resource = stored as Stored;
  return { id: resource.id ?? fallbackId, version: resource.meta?.versionId ?? null };
}

function statusOf(error: unknown): number | undefined {
  return (error as { response?: { status?: number } } | null)?.response?.status;
}
