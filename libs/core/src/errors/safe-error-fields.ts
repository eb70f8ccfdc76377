/**
 * What may be logged of an unexpected error. Messages of driver errors can quote row values
 * (a duplicate address, say), so only the type, code and stack frames are kept.
 */
export function safeErrorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { type: typeof error };
  }
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '));
  return {
    type: error.name,
    code: (error as { code?: unknown }).code,
    frames: frames.slice(0, 8).map((line) => line.trim()),
  };
}
