// Kept apart from the package index: Medplum's definitions take a while to load, and only
// FHIR specs need them.
export * from './loopback-fhir-server';
export * from './smart-auth-server';
export * from './fhir-validator';
