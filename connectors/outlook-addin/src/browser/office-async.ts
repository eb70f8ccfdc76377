/// <reference types="office-js" />

/**
 * Office.js reports through callbacks with an AsyncResult; this turns one call into a promise
 * that rejects with the host's error when the call failed, so handlers read top to bottom.
 */
export function officeCall<T>(
  start: (callback: (result: Office.AsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === Office.AsyncResultStatus.Failed) {
        reject(new Error(result.error?.message ?? 'Office call failed'));
        return;
      }
      resolve(result.value);
    });
  });
}
