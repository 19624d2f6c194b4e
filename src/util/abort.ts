// Lifecycle helper for components whose start() takes an AbortSignal (STYLE.md P13): aborting
// the signal stops the component, as calling stop() does.

/** Calls `stop` when `signal` aborts (at once when it already has); returns the unbinding. */
export function stopOnAbort(signal: AbortSignal, stop: () => Promise<void>): () => void {
  const onAbort = (): void => {
    void stop();
  };
  if (signal.aborted) {
    onAbort();
    return () => undefined;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
  };
}
