import { Fhir } from 'fhir';

const fhir = new Fhir();

/**
 * Validates a resource with the `fhir` package (its own R4 structure definitions and value
 * sets), independent of the server and of the code that built the resource. Returns the
 * error messages; empty when valid.
 */
export function fhirValidationErrors(resource: object): string[] {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  return result.messages
    .filter((message) => String(message.severity) === 'error')
    .map((message) => `${message.location ?? ''}: ${message.message ?? ''}`);
}
