/** Nest injection token for the typed, validated SealpostConfig. */
export const SEALPOST_CONFIG = Symbol('SEALPOST_CONFIG');
