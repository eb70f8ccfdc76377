import { type ErrorDetail } from './sealpost-error';

export interface ErrorBody {
  code: string;
  message: string;
  errorId: string;
  details?: ErrorDetail[];
}
