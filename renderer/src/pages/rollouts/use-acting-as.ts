// Which principal this workstation acts as for plans and executions. Remembered per browser;
// the backend proves it (the principal's key must sign on an unlocked token), so this is a
// convenience, not a claim.
import { useCallback, useState } from 'react';

const KEY = 'tessera.actingAs';

/** The remembered principal, for a one-off call outside React state (undefined when none). */
export function currentActingAs(): string | undefined {
  return window.localStorage.getItem(KEY) ?? undefined;
}

export function useActingAs(): [string | null, (name: string | null) => void] {
  const [actingAs, set] = useState<string | null>(() => window.localStorage.getItem(KEY));
  const update = useCallback((name: string | null) => {
    if (name) window.localStorage.setItem(KEY, name);
    else window.localStorage.removeItem(KEY);
    set(name);
  }, []);
  return [actingAs, update];
}
