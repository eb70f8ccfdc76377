import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';
import { type DefinitionProblem } from '../definitions/definition-problem';

export function workflowNotFound(): SealpostError {
  return new SealpostError(ErrorCode.NotFound, 'No such workflow.');
}

/** A 422 listing every problem of a definition, each with its code and step id. */
export function invalidDefinition(problems: DefinitionProblem[]): SealpostError {
  const details: ErrorDetail[] = problems.map((problem) => ({
    path: problem.path,
    message: problem.message,
    code: problem.code,
    stepId: problem.stepId,
  }));
  const count = problems.length === 1 ? 'one problem' : `${problems.length} problems`;
  return new SealpostError(
    ErrorCode.ValidationFailed,
    `The workflow definition has ${count}; each is listed with its step.`,
    details,
  );
}

export function workflowArchived(): SealpostError {
  return new SealpostError(
    ErrorCode.InvalidState,
    'This workflow is archived; archived workflows cannot change.',
  );
}
