/**
 * Makes a promise that cannot be cancelled (msal-node takes no `AbortSignal`) settle as soon as a signal aborts.
 * A late result after the abort is dropped; a late rejection is swallowed so that it never becomes unhandled.
 *
 * @param promise - the operation.
 * @param signal - aborting it rejects the returned promise with `signal.reason`.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the token request was aborted', 'AbortError');
}
