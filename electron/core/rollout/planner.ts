// Computes a plan from the desired state (each app's published version and targeted clusters,
// as the vault catalog and the kube layer's isTargeted define them) and a scan of what is live.
// Pure apart from its inputs: the same inputs always give the same body, so the same hash.
import { createHash } from 'node:crypto';
import { TesseraError, type ScanResult } from '../../../shared/contract/index.ts';
import type { MatrixCell, SecretCell } from '../../../shared/domain/cell-state.ts';
import { matches, parseSelector } from '../../../shared/domain/labels.ts';
import { canonicalJson, normalizePlanBody, type PlanAction, type PlanBody, type PlanScope, type PlanWiring } from '../../../shared/domain/plan.ts';
import { isTargeted } from '../kube/index.ts';
import type { AppPublication, SecretSpec } from '../kube/index.ts';

export interface PlanInputs {
  intent: PlanBody['intent'];
  scope: PlanScope;
  publications: AppPublication[];
  /** Every known cluster with its labels. */
  clusters: Map<string, Record<string, string>>;
  scan: ScanResult | null;
  /** Key names of a version the vault holds (for key diffs), or null. */
  versionKeys: (versionId: string) => string[] | null;
  /** The wiring hash of the last successful write of a cell, or null. */
  lastWiring: (app: string, secret: string, cluster: string) => string | null;
  adopt: { app: string; secret: string; cluster: string }[];
  /** Secrets of an app Tessera wrote on a cluster and has not deleted (journal): tombstones for clusters that cannot be scanned. */
  lastWritten?: (app: string, cluster: string) => { secret: string; namespace: string }[];
}

export function wiringOf(spec: Pick<SecretSpec, 'delivery' | 'mountPath' | 'workload'>): PlanWiring | null {
  if (!spec.workload) return null;
  return {
    delivery: spec.delivery,
    mountPath: spec.mountPath ?? null,
    workload: { kind: spec.workload.kind, name: spec.workload.name, container: spec.workload.container ?? null },
  };
}

export function wiringHash(wiring: PlanWiring | null): string {
  return createHash('sha256').update(canonicalJson(wiring)).digest('hex');
}

/** The clusters a scope selects (explicit names, a selector, or every cluster). */
export function scopeClusters(scope: PlanScope, clusters: Map<string, Record<string, string>>): string[] {
  let names = [...clusters.keys()];
  if (scope.clusters.length > 0) {
    const unknown = scope.clusters.filter((c) => !clusters.has(c));
    if (unknown.length > 0)
      throw new TesseraError('NOT_FOUND', `There is no cluster named ${unknown.map((u) => `"${u}"`).join(', ')}.`, { field: 'scope.clusters' });
    names = names.filter((n) => scope.clusters.includes(n));
  }
  if (scope.selector.trim() !== '') {
    const parsed = parseSelector(scope.selector);
    if (!parsed.selector) throw new TesseraError('INVALID_INPUT', `"scope.selector": ${parsed.error}`, { field: 'scope.selector' });
    const sel = parsed.selector;
    names = names.filter((n) => matches(sel, clusters.get(n) ?? {}));
  }
  if (scope.cells.length > 0) {
    const wanted = new Set(scope.cells.map((c) => c.cluster));
    names = names.filter((n) => wanted.has(n));
  }
  return names.sort();
}

const diffKeys = (now: readonly string[], before: readonly string[] | null) => {
  if (before === null) return { added: [...now], removed: [], kept: [] };
  const b = new Set(before);
  const n = new Set(now);
  return { added: now.filter((k) => !b.has(k)), removed: before.filter((k) => !n.has(k)), kept: now.filter((k) => b.has(k)) };
};

export function computePlan(input: PlanInputs): PlanBody {
  const { scope, publications } = input;
  const clusterNames = scopeClusters(scope, input.clusters);
  const pubs = new Map(publications.map((p) => [p.app, p]));
  const cells = new Map<string, MatrixCell>();
  for (const c of input.scan?.cells ?? []) cells.set(`${c.app}\u0000${c.cluster}`, c);
  const appsLive = new Set((input.scan?.cells ?? []).filter((c) => c.secrets.some((s) => s.uid !== null)).map((c) => c.app));
  let apps = [...new Set([...pubs.keys(), ...appsLive])].sort();
  if (scope.apps.length > 0) {
    const unknown = scope.apps.filter((a) => !pubs.has(a) && !appsLive.has(a));
    if (unknown.length > 0)
      throw new TesseraError(
        'NOT_FOUND',
        `There is no app named ${unknown.map((u) => `"${u}"`).join(', ')} (not in the vault, and no live Secret of it was found).`,
        { field: 'scope.apps' },
      );
    apps = apps.filter((a) => scope.apps.includes(a));
  }
  const cellFilter = scope.cells.length > 0 ? new Set(scope.cells.map((c) => `${c.app}\u0000${c.cluster}`)) : null;
  const adopt = new Set(input.adopt.map((a) => `${a.app}\u0000${a.secret}\u0000${a.cluster}`));
  const actions: PlanAction[] = [];

  for (const app of apps) {
    const pub = pubs.get(app) ?? null;
    for (const cluster of clusterNames) {
      if (cellFilter && !cellFilter.has(`${app}\u0000${cluster}`)) continue;
      const labels = input.clusters.get(cluster) ?? {};
      const targeted = input.intent === 'sync' && pub !== null && isTargeted(pub, cluster, labels);
      const cell = cells.get(`${app}\u0000${cluster}`) ?? null;
      const cellFailed = cell !== null && (cell.state === 'unreachable' || cell.state === 'error') && cell.secrets.length === 0;
      const used = new Set<SecretCell>();
      if (targeted) {
        for (const spec of pub.secrets) {
          const live = cell?.secrets.find((s) => s.namespace === spec.namespace && s.name === spec.name) ?? null;
          if (live) used.add(live);
          const wiring = wiringOf(spec);
          const base: PlanAction = {
            app,
            secret: spec.name,
            namespace: spec.namespace,
            cluster,
            action: 'nothing',
            reason: '',
            versionId: spec.versionId,
            liveVersionId: live?.liveVersionId ?? null,
            keys: { added: [], removed: [], kept: [...spec.keys] },
            overwrite: false,
            wiring,
            createNamespace: spec.createNamespace,
          };
          const liveKeys = live?.liveVersionId ? input.versionKeys(live.liveVersionId) : null;
          if (adopt.has(`${app}\u0000${spec.name}\u0000${cluster}`)) {
            actions.push({
              ...base,
              action: 'adopt',
              overwrite: true,
              keys: diffKeys(spec.keys, null),
              reason: `Adopt the existing Secret ${spec.namespace}/${spec.name} (not labelled as Tessera's) and write version ${spec.versionId}, as explicitly asked.`,
            });
            continue;
          }
          const state = live?.state ?? (cellFailed ? cell.state : cell ? 'missing' : null);
          switch (state) {
            case 'claimed':
              // A label alone makes nothing Tessera's: no write until someone adopts it explicitly.
              actions.push({ ...base, reason: `Left alone: ${live?.reason ?? `Secret ${spec.namespace}/${spec.name} claims to be Tessera's.`}` });
              break;
            case 'missing':
              actions.push({
                ...base,
                action: 'create',
                keys: diffKeys(spec.keys, null),
                reason: `${app} is published to ${cluster} and Secret ${spec.namespace}/${spec.name} is not there: create it at version ${spec.versionId}.`,
              });
              break;
            case 'outdated':
              actions.push({
                ...base,
                action: 'update',
                keys: diffKeys(spec.keys, liveKeys),
                reason: `Secret ${spec.namespace}/${spec.name} holds version ${live?.liveVersionId ?? '(unknown)'}; version ${spec.versionId} is published.`,
              });
              break;
            case 'drifted':
              actions.push({
                ...base,
                action: 'update',
                overwrite: true,
                keys: diffKeys(spec.keys, liveKeys),
                reason: `Restore the published version: ${live?.reason ?? 'the Secret drifted.'}`,
              });
              break;
            case 'in-sync': {
              const last = input.lastWiring(app, spec.name, cluster);
              if (last !== null && last !== wiringHash(wiring)) {
                actions.push({
                  ...base,
                  action: 'rewire',
                  reason: `The wiring of ${spec.name} (delivery, mount path or workload) changed since it was last written: apply it again.`,
                });
              } else actions.push({ ...base, reason: `Secret ${spec.namespace}/${spec.name} already holds version ${spec.versionId}.` });
              break;
            }
            default:
              // Unknown live state (unreachable, forbidden, not scanned): applying is idempotent.
              actions.push({
                ...base,
                action: 'update',
                keys: diffKeys(spec.keys, liveKeys),
                reason: `The live state is unknown (${live?.reason ?? cell?.reason ?? 'not scanned'}); apply version ${spec.versionId} (idempotent: no change if it is there).`,
              });
          }
        }
      }
      if (!targeted && cellFailed && input.lastWritten) {
        // The cluster cannot be listed now (an offline site): what Tessera wrote there and the app
        // no longer wants is deleted when it returns. Deleting is idempotent (absent is fine).
        for (const w of input.lastWritten(app, cluster)) {
          const spec = pub?.secrets.find((s) => s.namespace === w.namespace && s.name === w.secret) ?? null;
          actions.push({
            app,
            secret: w.secret,
            namespace: w.namespace,
            cluster,
            action: 'delete',
            reason: `Delete Secret ${w.namespace}/${w.secret} (and its wiring), which Tessera wrote there: ${input.intent === 'delete-app' ? `${app} is being deleted` : `${app} is not published to ${cluster}`}. The cluster cannot be reached now (${cell.reason}); the deletion stands until it returns.`,
            versionId: null,
            liveVersionId: null,
            keys: { added: [], removed: [], kept: [] },
            overwrite: false,
            wiring: spec ? wiringOf(spec) : null,
            createNamespace: false,
          });
        }
      }
      for (const live of cell?.secrets ?? []) {
        if (used.has(live) || live.uid === null) continue;
        if (live.state === 'claimed') {
          // Never deleted: Tessera did not create or adopt it. The plan says so, for the approver.
          actions.push({
            app,
            secret: live.name,
            namespace: live.namespace,
            cluster,
            action: 'nothing',
            reason: `Left alone: ${live.reason}`,
            versionId: null,
            liveVersionId: live.liveVersionId,
            keys: { added: [], removed: [], kept: [] },
            overwrite: false,
            wiring: null,
            createNamespace: false,
          });
          continue;
        }
        const spec = pub?.secrets.find((s) => s.namespace === live.namespace && s.name === live.name) ?? null;
        const why =
          input.intent === 'delete-app'
            ? `${app} is being deleted`
            : pub === null
              ? `${app} is not in the vault`
              : !targeted
                ? `${app} is not published to ${cluster}`
                : `${live.name} is no longer one of ${app}'s secrets`;
        actions.push({
          app,
          secret: live.name,
          namespace: live.namespace,
          cluster,
          action: 'delete',
          reason: `Delete managed Secret ${live.namespace}/${live.name} (and its wiring): ${why}.`,
          versionId: null,
          liveVersionId: live.liveVersionId,
          keys: { added: [], removed: live.liveVersionId ? (input.versionKeys(live.liveVersionId) ?? []) : [], kept: [] },
          overwrite: false,
          wiring: spec ? wiringOf(spec) : null,
          createNamespace: false,
        });
      }
    }
  }
  const involved = new Set(actions.map((a) => a.cluster));
  return normalizePlanBody({
    format: 'tessera.rollout.plan/v1',
    intent: input.intent,
    scope,
    clusters: [...involved].map((name) => ({ name, labels: input.clusters.get(name) ?? {} })),
    actions,
  });
}
