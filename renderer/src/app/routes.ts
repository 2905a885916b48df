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

export interface Route {
  path: RoutePath;
  /** What follows the page in the hash, e.g. a plan hash in #/rollouts/<hash>. */
  param: string | null;
}

function current(): Route {
  const [path = '', ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  const found = ROUTES.find((r) => r.path === path)?.path;
  return { path: found ?? 'matrix', param: found && rest.length > 0 ? decodeURIComponent(rest.join('/')) : null };
}

export function navigate(path: RoutePath, param?: string) {
  window.location.hash = param ? `/${path}/${encodeURIComponent(param)}` : `/${path}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
