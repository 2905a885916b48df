// Talks to a real test cluster as its admin, over TLS with the cluster's own CA: for test set-up
// and for checking what is live, independently of Tessera's client.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { RealCluster } from '../controlplane/harness.ts';

export interface ApiResponse {
  status: number;
  json: any;
}

export function clusterApi(cluster: RealCluster, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, cluster.server),
      {
        method,
        ca: readFileSync(cluster.caFile),
        headers: { authorization: `Bearer ${cluster.tokens.admin}`, accept: 'application/json', ...(data ? { 'content-type': contentType } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** A minimal Deployment with one container, to wire secrets into. */
export function deployment(name: string, namespace: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'api', image: 'registry.invalid/api:1' }] } },
    },
  };
}
