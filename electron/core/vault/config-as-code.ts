// Configuration as code: apps, secrets (names, key names, delivery, workload), targeting and
// cluster labels as one YAML document — never values, never ciphertext. Import refuses unknown
// fields and invalid names with the line they are on, and applies everything in one transaction.
import { LineCounter, isMap, isScalar, parseDocument, stringify, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { TesseraError, workloadKindSchema, type ConfigChange, type ConfigImportResult } from '../../../shared/contract/index.ts';
import { transaction } from '../store/index.ts';
import type { VaultService } from './vault-service.ts';

export const CONFIG_API_VERSION = 'tessera.dev/v1';
export const CONFIG_KIND = 'Configuration';

const secretSchema = z
  .object({
    name: z.string(),
    delivery: z.enum(['env', 'volume']),
    mountPath: z.string().optional(),
    workload: z
      .object({
        kind: workloadKindSchema,
        name: z.string(),
        container: z.string().optional(),
      })
      .strict()
      .optional(),
    createNamespace: z.boolean().default(false),
    keys: z.array(z.string()).default([]),
  })
  .strict();

const appSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    description: z.string().default(''),
    owners: z.array(z.string()).default([]),
    targeting: z
      .object({ selector: z.string().default(''), include: z.array(z.string()).default([]), exclude: z.array(z.string()).default([]) })
      .strict()
      .default({ selector: '', include: [], exclude: [] }),
    secrets: z.array(secretSchema).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    apiVersion: z.literal(CONFIG_API_VERSION),
    kind: z.literal(CONFIG_KIND),
    clusters: z.array(z.object({ name: z.string(), labels: z.record(z.string(), z.string()).default({}) }).strict()).default([]),
    apps: z.array(appSchema).default([]),
  })
  .strict();

export type VaultConfig = z.output<typeof configSchema>;

/** The configuration as a plain object, in a stable order. */
export function exportConfig(vault: VaultService): VaultConfig {
  return {
    apiVersion: CONFIG_API_VERSION,
    kind: CONFIG_KIND,
    clusters: vault.listClusters().map((c) => ({ name: c.name, labels: c.labels })),
    apps: vault.apps.list().map((a) => ({
      name: a.name,
      namespace: a.namespace,
      description: a.description,
      owners: a.owners,
      targeting: a.targeting,
      secrets: vault.secrets.listForApp(a.id).map((s) => ({
        name: s.name,
        delivery: s.delivery,
        ...(s.mountPath !== null ? { mountPath: s.mountPath } : {}),
        ...(s.workload ? { workload: s.workload } : {}),
        createNamespace: s.createNamespace,
        keys: s.keyNames,
      })),
    })),
  };
}

export function exportConfigYaml(vault: VaultService): string {
  return stringify(exportConfig(vault), { lineWidth: 0 });
}

function lineOfPath(doc: Document, lines: LineCounter, path: readonly PropertyKey[], unknownKey?: string): number {
  let node = doc.getIn(path as unknown[], true) as Node | undefined;
  for (let cut = path.length; node === undefined && cut > 0; cut--) node = doc.getIn(path.slice(0, cut - 1) as unknown[], true) as Node | undefined;
  if (unknownKey !== undefined && node && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === unknownKey);
    if (pair && (pair.key as Node).range) return lines.linePos((pair.key as Node).range![0]).line;
  }
  return node?.range ? lines.linePos(node.range[0]).line : 1;
}

/** Parses and validates a configuration document; errors carry the field and the line. */
export function parseConfig(text: string): { config: VaultConfig; lineOf: (path: readonly PropertyKey[]) => number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new TesseraError('INVALID_INPUT', `line ${lines.linePos(e.pos[0]).line}: not valid YAML (${e.code}).`, { field: 'yaml' });
  }
  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const field = [...issue.path, ...(unknown ? [unknown] : [])].map(String).join('.');
    const line = lineOfPath(doc, lines, issue.path, unknown);
    const rule = unknown ? 'is not a known field' : issue.message;
    throw new TesseraError('INVALID_INPUT', `line ${line}: "${field}" ${rule}.`, { field, details: { line } });
  }
  return { config: parsed.data, lineOf: (path) => lineOfPath(doc, lines, path) };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Applies the document (creating and updating; nothing is deleted), or only reports with dryRun. */
export function importConfig(vault: VaultService, text: string, dryRun: boolean): ConfigImportResult {
  const { config, lineOf } = parseConfig(text);
  const changes: ConfigChange[] = [];
  const withLine = <T>(path: PropertyKey[], fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'INVALID_INPUT') {
        const field = [...path.map(String), ...(error.field ? [error.field] : [])].join('.');
        const line = lineOf([...path, ...(error.field ? error.field.split('.') : [])]);
        throw new TesseraError('INVALID_INPUT', `line ${line}: ${error.message.replace(/^"([^"]*)"/u, `"${field}"`)}`, { field, details: { line } });
      }
      throw error;
    }
  };
  const apply = () => {
    config.clusters.forEach((c, i) => {
      const existing = vault.clusters.find(c.name);
      const kind = !existing ? 'create' : same(existing.labels, Object.fromEntries(Object.entries(c.labels).sort())) ? 'unchanged' : 'update';
      changes.push({ kind, what: 'cluster', name: c.name, fields: kind === 'update' ? ['labels'] : [] });
      if (kind !== 'unchanged') withLine(['clusters', i], () => vault.setCluster(c.name, c.labels));
    });
    config.apps.forEach((a, i) => {
      const existing = vault.apps.find(a.name);
      const wanted = { namespace: a.namespace, description: a.description, owners: a.owners, targeting: a.targeting };
      if (!existing) {
        changes.push({ kind: 'create', what: 'app', name: a.name, fields: [] });
        withLine(['apps', i], () => vault.createApp({ name: a.name, ...wanted }));
      } else {
        const fields = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((k) => !same(existing[k], wanted[k]));
        changes.push({ kind: fields.length ? 'update' : 'unchanged', what: 'app', name: a.name, fields });
        if (fields.length) withLine(['apps', i], () => vault.updateApp(a.name, wanted));
      }
      const app = vault.apps.find(a.name)!;
      a.secrets.forEach((s, j) => {
        const current = vault.secrets.find(app.id, s.name);
        const def = { name: s.name, delivery: s.delivery, mountPath: s.mountPath, workload: s.workload, createNamespace: s.createNamespace, keyNames: s.keys };
        const now = current && {
          delivery: current.delivery,
          mountPath: current.mountPath ?? undefined,
          workload: current.workload ?? undefined,
          createNamespace: current.createNamespace,
          keyNames: current.keyNames,
        };
        const fields = now ? (['delivery', 'mountPath', 'workload', 'createNamespace', 'keyNames'] as const).filter((k) => !same(now[k], def[k])) : [];
        changes.push({ kind: !current ? 'create' : fields.length ? 'update' : 'unchanged', what: 'secret', name: `${a.name}/${s.name}`, fields: [...fields] });
        if (!current || fields.length) withLine(['apps', i, 'secrets', j], () => vault.defineSecret(app.id, def));
      });
    });
  };
  if (dryRun) {
    // Run the whole import inside a transaction that is always rolled back: the same checks, no change.
    const rollback = new Error('dry run');
    try {
      transaction(vault.db, () => {
        apply();
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
  } else {
    transaction(vault.db, () => {
      apply();
      vault.audit.append({
        actor: vault.actor(),
        action: 'config.import',
        subject: 'vault',
        details: { changes: changes.filter((c) => c.kind !== 'unchanged').length },
      });
    });
  }
  return { dryRun, changes };
}
