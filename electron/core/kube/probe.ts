// Probe: is the cluster reachable, which version does it run (/version), and may this user
// do what Tessera needs (SelfSubjectAccessReview per namespace an app targets there).
import { TesseraError, type AccessCheck, type ProbeResult } from '../../../shared/contract/index.ts';
import type { KubeClient } from './http-client.ts';

const SECRET_VERBS = ['get', 'list', 'create', 'patch', 'delete'] as const;

async function accessReview(client: KubeClient, namespace: string, group: string, resource: string, verb: string, signal?: AbortSignal): Promise<AccessCheck> {
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace, group, resource, verb } },
    }),
  );
  const res = await client.requestOk({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body, signal });
  const review = JSON.parse(res.body.toString('utf8')) as { status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string } };
  const allowed = review.status?.allowed === true;
  return {
    namespace,
    group,
    resource,
    verb,
    allowed,
    reason: review.status?.reason || review.status?.evaluationError || (allowed ? 'allowed' : 'not allowed by RBAC'),
  };
}

export async function probeCluster(client: KubeClient, namespaces: string[], signal?: AbortSignal): Promise<ProbeResult> {
  const result: ProbeResult = { cluster: client.cluster, reachable: false, serverVersion: null, latencyMs: null, error: null, access: [] };
  const started = performance.now();
  try {
    const res = await client.requestOk({ method: 'GET', path: '/version', signal });
    result.latencyMs = Math.round(performance.now() - started);
    result.reachable = true;
    const version = JSON.parse(res.body.toString('utf8')) as { gitVersion?: string };
    result.serverVersion = version.gitVersion ?? null;
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'CANCELLED') throw error;
    // A cluster that answers 401/403 on /version is reachable all the same.
    if (error instanceof TesseraError && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN')) result.reachable = true;
    result.error = error instanceof TesseraError ? error.toContract() : { code: 'INTERNAL', message: 'The probe failed unexpectedly.' };
    if (!result.reachable) return result;
  }
  try {
    const checks: Promise<AccessCheck>[] = [];
    for (const ns of [...new Set(namespaces)].sort()) {
      for (const verb of SECRET_VERBS) checks.push(accessReview(client, ns, '', 'secrets', verb, signal));
      checks.push(accessReview(client, ns, 'apps', 'deployments', 'patch', signal));
    }
    result.access = await Promise.all(checks);
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'CANCELLED') throw error;
    result.error = error instanceof TesseraError ? error.toContract() : { code: 'INTERNAL', message: 'The access review failed unexpectedly.' };
  }
  return result;
}
