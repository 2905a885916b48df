// The pages of the desk, in navigation order. The route is kept in the URL hash (#/clusters).
import { useEffect, useState } from 'react';

export const ROUTES = [
  { path: 'matrix', label: 'Matrix' },
  { path: 'apps', label: 'Apps' },
  { path: 'clusters', label: 'Clusters' },
  { path: 'rollouts', label: 'Rollouts' },
  { path: 'keys', label: 'Keys & tokens' },
  { path: 'audit', label: 'Audit' },
  { path: 'settings', label: 'Settings' },
] as const;

export type RoutePath = (typeof ROUTES)[number]['path'];

function current(): RoutePath {
  const path = window.location.hash.replace(/^#\/?/, '');
  return ROUTES.find((r) => r.path === path)?.path ?? 'matrix';
}

export function navigate(path: RoutePath) {
  window.location.hash = `/${path}`;
}

export function useRoute(): RoutePath {
  const [route, setRoute] = useState<RoutePath>(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
