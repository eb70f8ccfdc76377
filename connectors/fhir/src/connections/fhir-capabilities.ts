/** What a FHIR server's CapabilityStatement says about writing Communications. */
export interface FhirCapabilities {
  fhirVersion: string | null;
  /** Communication interactions offered (read, create, update, search-type, ...). */
  communicationInteractions: string[];
  conditionalCreate: boolean;
  conditionalUpdate: boolean;
  /** versioned-update: the server honours If-Match on updates. */
  ifMatch: boolean;
  /**
   * How Sealpost will write: `update` keeps one Communication per message and recipient;
   * `create-only` adds one per milestone; `unsupported` cannot chart at all.
   */
  writeMode: 'update' | 'create-only' | 'unsupported';
}

interface CapabilityResource {
  type?: string;
  interaction?: { code?: string }[];
  versioning?: string;
  conditionalCreate?: boolean;
  conditionalUpdate?: boolean;
}

interface CapabilityStatement {
  resourceType?: string;
  fhirVersion?: string;
  rest?: { mode?: string; resource?: CapabilityResource[] }[];
}

export function capabilitiesOf(statement: unknown): FhirCapabilities {
  const document = (statement ?? {}) as CapabilityStatement;
  const server = document.rest?.find((rest) => rest.mode === 'server') ?? document.rest?.[0];
  const communication = server?.resource?.find((resource) => resource.type === 'Communication');
  const interactions = (communication?.interaction ?? [])
    .map((interaction) => interaction.code)
    .filter((code): code is string => typeof code === 'string');
  const conditionalUpdate =
    communication?.conditionalUpdate === true && interactions.includes('update');
  const conditionalCreate =
    communication?.conditionalCreate === true && interactions.includes('create');

  let writeMode: FhirCapabilities['writeMode'] = 'unsupported';
  if (conditionalUpdate) {
    writeMode = 'update';
  } else if (conditionalCreate) {
    writeMode = 'create-only';
  }
  return {
    fhirVersion: document.fhirVersion ?? null,
    communicationInteractions: interactions,
    conditionalCreate,
    conditionalUpdate,
    ifMatch: communication?.versioning === 'versioned-update',
    writeMode,
  };
}
