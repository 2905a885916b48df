// Keeps the matrix true after a rollout: when one ends (done, failed or cancelled), the
// clusters it touched are scanned again, so their tiles show what is live now instead of the
// state before the rollout. The scan streams scan.progress, which the matrix folds in.
import { useRef } from 'react';
import { useTransport } from '../hooks/transport-context.ts';
import { useEvent } from '../hooks/use-event.ts';

export function RescanAfterRollouts() {
  const transport = useTransport();
  const touched = useRef(new Map<string, Set<string>>());
  useEvent('rollout.progress', (event) => {
    const set = touched.current.get(event.rolloutId) ?? new Set<string>();
    set.add(event.cluster);
    touched.current.set(event.rolloutId, set);
  });
  useEvent('rollout.state', (event) => {
    if (event.status === 'running') return;
    const clusters = touched.current.get(event.id);
    touched.current.delete(event.id);
    if (!clusters || clusters.size === 0) return;
    void transport.invoke('kube.scanMatrix', { clusters: [...clusters] });
  });
  return null;
}
