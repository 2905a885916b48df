// Verify: fetch the live values of one managed Secret and compare them with the vault's
// version in constant time (SHA-256 digests of equal length, crypto.timingSafeEqual).
// Values are dropped at once: every buffer is zeroed before the function returns.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretCell } from '../../../shared/domain/cell-state.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import { httpError, type KubeClient } from './http-client.ts';
import { isManaged, secretPath } from './provision.ts';
import { VERSION_ANNOTATION, type SecretSpec, type SecretValues } from './types.ts';

function digest(value: Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

export async function verifySecret(client: KubeClient, spec: SecretSpec, values: SecretValues, signal?: AbortSignal): Promise<SecretCell> {
  const base: SecretCell = {
    namespace: spec.namespace,
    name: spec.name,
    state: 'in-sync',
    reason: '',
    liveVersionId: null,
    publishedVersionId: spec.versionId,
    uid: null,
    keysAdded: [],
    keysRemoved: [],
    drift: [],
  };
  const res = await client.request({ method: 'GET', path: secretPath(spec.namespace, spec.name), signal });
  try {
    if (res.status === 404) return { ...base, state: 'missing', reason: `Secret ${spec.namespace}/${spec.name} is not on the cluster.` };
    if (res.status === 403)
      return { ...base, state: 'forbidden', reason: `Cluster "${client.cluster}" does not let this user read Secret ${spec.namespace}/${spec.name}.` };
    if (res.status !== 200) throw httpError(client.cluster, { method: 'GET', path: secretPath(spec.namespace, spec.name) }, res);
    const secret = JSON.parse(res.body.toString('utf8')) as {
      metadata: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      data?: Record<string, string>;
    };
    base.uid = secret.metadata.uid ?? null;
    base.liveVersionId = secret.metadata.annotations?.[VERSION_ANNOTATION] ?? null;
    if (!isManaged(secret.metadata)) return { ...base, state: 'error', reason: `Secret ${spec.namespace}/${spec.name} is not managed by Tessera.` };
    const data = secret.data ?? {};
    const liveKeys = Object.keys(data).sort();
    const differing: string[] = [];
    for (const key of spec.keys) {
      const expected = values.keys.get(key);
      const liveText = data[key];
      if (expected === undefined || liveText === undefined) continue;
      const live = Buffer.from(liveText, 'base64');
      const a = digest(live);
      const b = digest(expected);
      live.fill(0);
      if (!timingSafeEqual(a, b)) differing.push(key);
    }
    for (const k of Object.keys(data)) data[k] = '';
    base.keysAdded = liveKeys.filter((k) => !spec.keys.includes(k));
    base.keysRemoved = spec.keys.filter((k) => !liveKeys.includes(k));
    const parts: string[] = [];
    if (differing.length > 0) parts.push(`values differ from version ${spec.versionId} for ${differing.join(', ')}`);
    if (base.keysAdded.length > 0) parts.push(`extra keys ${base.keysAdded.join(', ')}`);
    if (base.keysRemoved.length > 0) parts.push(`missing keys ${base.keysRemoved.join(', ')}`);
    if (parts.length > 0) return { ...base, state: 'drifted', reason: `Secret ${spec.namespace}/${spec.name}: ${parts.join('; ')}.` };
    if (base.liveVersionId !== spec.versionId) {
      return {
        ...base,
        state: 'outdated',
        reason: `Secret ${spec.namespace}/${spec.name} holds the values of ${spec.versionId} but is labelled ${base.liveVersionId ?? '(none)'}.`,
      };
    }
    return { ...base, reason: `Live values of ${spec.namespace}/${spec.name} match version ${spec.versionId}.` };
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('INTERNAL', `Secret ${spec.namespace}/${spec.name} on cluster "${client.cluster}" could not be read for verification.`);
  } finally {
    res.body.fill(0);
  }
}
