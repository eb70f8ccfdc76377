/** Why a definition was refused; clients switch on these, so never rename one. */
export const DEFINITION_PROBLEM_CODES = [
  'invalid_definition',
  'missing_field',
  'invalid_value',
  'duplicate_step_id',
  'unknown_step_type',
  'unknown_target',
  'unreachable_step',
  'invalid_time_zone',
  'invalid_duration',
  'invalid_date',
  'invalid_time',
  'invalid_condition',
] as const;
export type DefinitionProblemCode = (typeof DEFINITION_PROBLEM_CODES)[number];

/**
 * One problem of a submitted definition. `path` names the place (`steps[2].wait.timeZone`);
 * messages never quote submitted values, which may hold PHI.
 */
export interface DefinitionProblem {
  code: DefinitionProblemCode;
  stepId: string | null;
  path: string;
  message: string;
}

/** Collects problems while one part of a definition is read. */
export class ProblemList {
  readonly items: DefinitionProblem[] = [];

  add(code: DefinitionProblemCode, stepId: string | null, path: string, message: string): void {
    this.items.push({ code, stepId, path, message });
  }

  get size(): number {
    return this.items.length;
  }
}
