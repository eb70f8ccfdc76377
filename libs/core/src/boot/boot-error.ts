/**
 * An error that stops a process from starting. Its message is one line written for the
 * operator: what is wrong, where, and how to fix it. Never put secrets or PHI in it.
 */
export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}
