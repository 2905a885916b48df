// Discovery documents: just the groups/resources Tessera (and kubectl acting on them) needs.
import type { Json, JsonObject } from './fields.ts';

export const SIM_VERSION = { major: '1', minor: '35', gitVersion: 'v1.35.0-tessera-sim' };

export function versionInfo(): JsonObject {
  return {
    major: SIM_VERSION.major,
    minor: SIM_VERSION.minor,
    gitVersion: SIM_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

const group = (name: string, version: string): JsonObject => ({
  name,
  versions: [{ groupVersion: `${name}/${version}`, version }],
  preferredVersion: { groupVersion: `${name}/${version}`, version },
});

export function apiGroupList(): JsonObject {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group('apps', 'v1'), group('authorization.k8s.io', 'v1')] };
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const LISTS: Record<string, JsonObject> = {
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {
        name: 'namespaces',
        singularName: 'namespace',
        namespaced: false,
        kind: 'Namespace',
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['ns'],
        storageVersionHash: 'Q3oi5N2YM8M=',
      },
      { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: RW, storageVersionHash: 'S6u1pOWzb84=' },
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'apps/v1',
    resources: [
      {
        name: 'deployments',
        singularName: 'deployment',
        namespaced: true,
        kind: 'Deployment',
        verbs: RW,
        shortNames: ['deploy'],
        categories: ['all'],
        storageVersionHash: '8aSe+NMegvE=',
      },
    ],
  },
  '/apis/authorization.k8s.io/v1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'authorization.k8s.io/v1',
    resources: [
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
    ],
  },
};

export function resourceList(path: string): JsonObject | undefined {
  if (path === '/apis/apps') return { kind: 'APIGroup', apiVersion: 'v1', ...group('apps', 'v1') };
  if (path === '/apis/authorization.k8s.io') return { kind: 'APIGroup', apiVersion: 'v1', ...group('authorization.k8s.io', 'v1') };
  return LISTS[path];
}

// OpenAPI v3: kubectl reads it to learn whether the server supports server-side field
// validation (the `fieldValidation` query parameter) on the operations it is about to use.
const GV: Record<string, { group: string; version: string; kinds: { kind: string; plural: string; namespaced: boolean }[] }> = {
  'api/v1': {
    group: '',
    version: 'v1',
    kinds: [
      { kind: 'Namespace', plural: 'namespaces', namespaced: false },
      { kind: 'Secret', plural: 'secrets', namespaced: true },
    ],
  },
  'apis/apps/v1': { group: 'apps', version: 'v1', kinds: [{ kind: 'Deployment', plural: 'deployments', namespaced: true }] },
};

export function openapiV3Index(): JsonObject {
  const paths: JsonObject = {};
  for (const p of Object.keys(GV)) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=TESSERASIM0001` };
  return { paths };
}

export function openapiV3Doc(p: string): JsonObject | undefined {
  const gv = GV[p.split('?')[0] ?? ''];
  if (!gv) return undefined;
  const paths: JsonObject = {};
  const schemas: JsonObject = {};
  const fv = {
    name: 'fieldValidation',
    in: 'query',
    description: 'fieldValidation instructs the server on how to handle objects in the request',
    schema: { type: 'string', uniqueItems: true },
  };
  for (const k of gv.kinds) {
    const gvk = { group: gv.group, version: gv.version, kind: k.kind };
    const prefix = `/${p}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.plural}`;
    const schemaName = `io.k8s.api.${gv.group === '' ? 'core' : gv.group}.${gv.version}.${k.kind}`;
    const ref = { $ref: `#/components/schemas/${schemaName}` };
    const op = (id: string, withFV: boolean): Json => ({
      operationId: id,
      parameters: withFV ? [fv] : [],
      'x-kubernetes-action': id.startsWith('patch')
        ? 'patch'
        : id.startsWith('create')
          ? 'post'
          : id.startsWith('replace')
            ? 'put'
            : id.startsWith('delete')
              ? 'delete'
              : 'get',
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    });
    paths[prefix] = { get: op(`list${k.kind}`, false), post: op(`create${k.kind}`, true) };
    paths[`${prefix}/{name}`] = {
      get: op(`read${k.kind}`, false),
      put: op(`replace${k.kind}`, true),
      patch: op(`patch${k.kind}`, true),
      delete: op(`delete${k.kind}`, false),
    };
    schemas[schemaName] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0-tessera-sim' }, paths, components: { schemas } };
}
