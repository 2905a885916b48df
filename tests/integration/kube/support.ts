// Shared helpers for the Kubernetes layer's integration tests.
import { spawnSync } from 'node:child_process';
import type { AppPublication, SecretSpec, SecretValues } from '../../../electron/core/kube/types.ts';

export function values(versionId: string, entries: Record<string, string>): SecretValues {
  return { versionId, keys: new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)])) };
}

export function spec(app: string, over: Partial<SecretSpec> = {}): SecretSpec {
  return {
    app,
    name: `${app}-secret`,
    namespace: 'payments',
    createNamespace: true,
    versionId: 'v1',
    keys: ['API_KEY', 'DB_PASSWORD'],
    delivery: 'env',
    workload: null,
    ...over,
  };
}

export function publication(app: string, include: string[], secrets: SecretSpec[], over: Partial<AppPublication> = {}): AppPublication {
  return { app, targeting: { selector: '', include, exclude: [] }, published: [...include], secrets, ...over };
}

export const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

export function kubectl(kubeconfig: string, context: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, '--context', context, ...args], { encoding: 'utf8', input, timeout: 30_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
