// End-to-end set-up helpers: the typed RPC call, and a kubeconfig with unreachable contexts.
export { rpc } from './rpc.ts';

/** A kubeconfig with two unreachable contexts, enough for pickers and labels without a cluster. */
export function offlineKubeconfig(): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: staging-eu',
    'clusters:',
    '- name: staging-eu\n  cluster:\n    server: https://127.0.0.1:9\n',
    '- name: prod-us\n  cluster:\n    server: https://127.0.0.1:9\n',
    'contexts:',
    '- name: staging-eu\n  context:\n    cluster: staging-eu\n    user: ops',
    '- name: prod-us\n  context:\n    cluster: prod-us\n    user: ops',
    'users:',
    '- name: ops\n  user:\n    token: e2e-not-a-real-token',
    '',
  ].join('\n');
}
