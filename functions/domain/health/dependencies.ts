/** One dependency's check: resolves if it answered, rejects (or is aborted by `signal`) otherwise. */
export type DependencyCheck = (signal: AbortSignal) => Promise<unknown>;

export type DependencyState = 'ok' | 'unavailable';

/**
 * Runs every check at once, each given `timeoutMs`: health answers within about that, whatever
 * is down, and says which. A check that fails for any reason (no answer, refused, an error
 * from the service) counts as unavailable; the caller logs why.
 */
export async function checkDependencies<Name extends string>(
  checks: Readonly<Record<Name, DependencyCheck>>,
  timeoutMs: number,
  onFailure: (name: Name, error: unknown) => void,
): Promise<Record<Name, DependencyState>> {
  const names = Object.keys(checks) as Name[];
  const states = await Promise.all(
    names.map(async (name): Promise<DependencyState> => {
      try {
        await checks[name](AbortSignal.timeout(timeoutMs));
        return 'ok';
      } catch (error) {
        onFailure(name, error);
        return 'unavailable';
      }
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, states[i]])) as Record<Name, DependencyState>;
}
