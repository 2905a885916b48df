// Attacks on recipients, versions and roles, performed for real: as a writer of the database
// file (SQL on tessera.db) and as a caller of the local API (the dispatcher, and HTTP against
// `tessera serve`), with real SoftHSM2 tokens and a real control plane. Each test first shows its
// forged state is in place, then that Tessera refuses or detects it, naming the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { findControlPlaneAssets, startControlPlane, type ControlPlane } from '../../controlplane/harness.ts';
import { clusterApi } from '../../support/cluster-api.ts';
import { serveTessera, type ServedTessera } from '../../support/serve.ts';
import { softHsmSkipReason } from '../../support/softhsm.ts';
import type { Core } from '../../../electron/core/index.ts';
import { parsePublicKey, wrapInSoftware } from '../../../electron/core/hsm/index.ts';
import { encodePayload, seal } from '../../../electron/core/vault/index.ts';
import type { PlanView, RecipientView, RevealedVersion, RolloutView, VersionView } from '../../../shared/contract/index.ts';
import { makeCore, makeTokens, refusal, setUpTeam, value, type Team } from './support.ts';

const found = findControlPlaneAssets();
const skipReason = 'skipReason' in found ? found.skipReason : softHsmSkipReason();
if (skipReason) console.warn(`[trust-attacks.test] skipped: ${skipReason}`);

describe.skipIf(skipReason !== null && skipReason !== undefined)('attacks on recipients, versions and roles', () => {
  let cp: ControlPlane;
  let core: Core;
  let team: Team;
  let dir: string;
  let cluster: string;
  let served: ServedTessera;
  let appId: string;
  let secretId: string;
  const raw = () => {
    const db = new DatabaseSync(join(dir, 'tessera.db'));
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    return db;
  };
  const mallory = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const malloryPem = mallory.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const mallorySpki = mallory.publicKey.export({ type: 'spki', format: 'der' });

  /** HTTP, as the renderer or any local program calls the headless host. */
  async function http(channel: string, input: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
    const response = await fetch(`${served.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return (await response.json()) as { ok: boolean; error?: { code: string; message: string } };
  }

  /** What anyone holding a recipient's public key can compute: a version that decrypts cleanly. */
  function forgeVersion(db: DatabaseSync, versionId: string, number: number, value: string): void {
    const kek = parsePublicKey(team.keys.kek.publicKeyPem!);
    const fingerprint = (db.prepare("SELECT fingerprint FROM recipients WHERE label = 'vault kek'").get() as { fingerprint: string }).fingerprint;
    const dek = randomBytes(32);
    const sealed = seal(dek, encodePayload([{ name: 'PASSWORD', value: Buffer.from(value) }]), { versionId, appId, secretName: 'db', number });
    const wrapped = wrapInSoftware({ kind: 'ecdh-es', fingerprint, publicKeySpki: kek.spki, curve: 'P-256' }, dek);
    db.prepare(
      "INSERT INTO secret_versions (id, secret_id, number, created_at, created_by, source, key_names, format, nonce, ciphertext) VALUES (?, ?, ?, ?, 'sofia', 'literal', '[\"PASSWORD\"]', 'tessera.secret.v1', ?, ?)",
    ).run(versionId, secretId, number, new Date().toISOString(), sealed.nonce, sealed.ciphertext);
    db.prepare("INSERT INTO wrapped_keys (version_id, recipient, scheme, data, epk, nonce, wrapped_at) VALUES (?, ?, ?, ?, ?, NULL, '2026-01-01')").run(
      versionId,
      wrapped.recipient,
      wrapped.scheme,
      wrapped.data,
      wrapped.epk ?? null,
    );
  }

  beforeAll(async () => {
    cp = await startControlPlane({ clusters: 1 });
    cluster = cp.clusters[0]!.contexts.admin;
    dir = mkdtempSync(join(tmpdir(), 'tessera-attacks-'));
    const hsm = makeTokens();
    core = makeCore(dir, hsm.module, cp.kubeconfigPath);
    team = await setUpTeam(core, hsm, null);
    await value(core, 'vault.createApp', { name: 'billing', namespace: 'attacks', targeting: { selector: '', include: [cluster], exclude: [] } });
    await value(core, 'vault.defineSecret', { app: 'billing', name: 'db', delivery: 'env', createNamespace: true });
    await value(core, 'vault.writeVersion', { app: 'billing', secret: 'db', values: [{ name: 'PASSWORD', value: 'real-1' }], as: 'sofia' });
    await value(core, 'vault.setPublication', { app: 'billing', cluster, state: 'published' });
    // oscar (an operator) owns billing: he may write and reveal its secrets, nothing else.
    await value(core, 'rollout.setOwners', { app: 'billing', owners: ['oscar'], signer: 'sofia' });
    const db = raw();
    appId = (db.prepare("SELECT id FROM apps WHERE name = 'billing'").get() as { id: string }).id;
    secretId = (db.prepare("SELECT id FROM secrets WHERE name = 'db'").get() as { id: string }).id;
    db.close();
    served = await serveTessera({ dataDir: dir, env: { ...team.hsm.env, KUBECONFIG: cp.kubeconfigPath } });
  }, 300_000);

  afterAll(async () => {
    await served?.stop();
    await core?.close();
    await cp?.stop();
    team?.hsm.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('anyone adds a recipient', () => {
    it('as an API caller, through the dispatcher and over HTTP: refused without a security officer', async () => {
      const none = await refusal(core, 'vault.addRecipient', { publicKeyPem: malloryPem, label: 'mallory' });
      expect(none.code).toBe('FORBIDDEN');
      expect(none.message).toMatch(/security-officer/u);
      const notSo = await refusal(core, 'vault.addRecipient', { publicKeyPem: malloryPem, label: 'mallory', signer: 'rm1' });
      expect(notSo.code).toBe('FORBIDDEN');
      expect(notSo.message).toMatch(/"rm1" is not a security officer/u);
      const overHttp = await http('vault.addRecipient', { publicKeyPem: malloryPem, label: 'mallory', signer: 'rm1' });
      expect(overHttp).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const list = await value<RecipientView[]>(core, 'vault.recipients', {});
      expect(list.map((r) => r.label)).not.toContain('mallory');
    });

    it('as a database writer: an inserted recipient row grants nothing; new versions and rewrap ignore it', async () => {
      const fp = parsePublicKey(malloryPem);
      const db = raw();
      db.prepare(
        "INSERT INTO recipients (fingerprint, kind, label, public_key, curve, oaep_hash, aes_scheme, token_serial, key_id, status, added_at, added_by, retired_at) VALUES (?, 'ecdh-es', 'mallory', ?, 'P-256', NULL, NULL, NULL, NULL, 'active', '2026-01-01', 'sofia', NULL)",
      ).run(createHash('sha256').update(fp.spki).digest('hex'), mallorySpki);
      expect((db.prepare("SELECT status FROM recipients WHERE label = 'mallory'").get() as { status: string }).status).toBe('active');
      db.close();
      const listed = (await value<RecipientView[]>(core, 'vault.recipients', {})).find((r) => r.label === 'mallory')!;
      expect(listed).toMatchObject({ status: 'active', signedBy: null });
      const v = await value<VersionView>(core, 'vault.writeVersion', {
        app: 'billing',
        secret: 'db',
        values: [{ name: 'PASSWORD', value: 'real-2' }],
        as: 'sofia',
      });
      expect(v.recipients).toHaveLength(1);
      expect(v.recipients).not.toContain(listed.fingerprint);
      const status = await value<{ active: string[] }>(core, 'vault.rewrapStatus', {});
      expect(status.active).not.toContain(listed.fingerprint);
      const cleanup = raw();
      cleanup.prepare("DELETE FROM recipients WHERE label = 'mallory'").run();
      cleanup.close();
    });
  });

  it("as a database writer: a recipient's public key swapped under the same fingerprint is detected before wrapping", async () => {
    const db = raw();
    const row = db.prepare("SELECT fingerprint, public_key FROM recipients WHERE label = 'vault kek'").get() as { fingerprint: string; public_key: Uint8Array };
    db.prepare('UPDATE recipients SET public_key = ? WHERE fingerprint = ?').run(mallorySpki, row.fingerprint);
    expect(Buffer.from((db.prepare('SELECT public_key AS k FROM recipients WHERE fingerprint = ?').get(row.fingerprint) as { k: Uint8Array }).k)).toEqual(
      mallorySpki,
    );
    db.close();
    try {
      const e = await refusal(core, 'vault.writeVersion', {
        app: 'billing',
        secret: 'db',
        values: [{ name: 'PASSWORD', value: 'never-wrapped' }],
        as: 'sofia',
      });
      expect(e.code).toBe('TAMPERED');
      expect(e.message).toContain(`Recipient ${row.fingerprint.slice(0, 16)}… ("vault kek")`);
      const listed = (await value<RecipientView[]>(core, 'vault.recipients', {})).find((r) => r.fingerprint === row.fingerprint)!;
      expect(listed).toMatchObject({ consistent: false, signedBy: 'sofia' });
    } finally {
      const back = raw();
      back.prepare('UPDATE recipients SET public_key = ? WHERE fingerprint = ?').run(row.public_key, row.fingerprint);
      back.close();
    }
  });

  describe('versions', () => {
    it('as an API caller: only an owner of the app or a security officer may write a version', async () => {
      const rm = await refusal(core, 'vault.writeVersion', { app: 'billing', secret: 'db', values: [{ name: 'PASSWORD', value: 'x' }], as: 'rm1' });
      expect(rm.code).toBe('FORBIDDEN');
      expect(rm.message).toMatch(/app-owner of "billing"/u);
      const nobody = await http('vault.writeVersion', { app: 'billing', secret: 'db', values: [{ name: 'PASSWORD', value: 'x' }] });
      expect(nobody).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const byOwner = await value<VersionView>(core, 'vault.writeVersion', {
        app: 'billing',
        secret: 'db',
        values: [{ name: 'PASSWORD', value: 'real-3' }],
        as: 'oscar',
      });
      expect(byOwner).toMatchObject({ integrity: 'signed', signedBy: 'oscar' });
    });

    it('as a database writer: a version forged with the public key decrypts cleanly but is TAMPERED on reveal and execution', async () => {
      const versions = await value<VersionView[]>(core, 'vault.versions', { app: 'billing', secret: 'db' });
      const forgedId = randomUUID();
      const number = versions[0]!.number + 1;
      const db = raw();
      forgeVersion(db, forgedId, number, 'attacker-value');
      // A valid signature of another version, copied: it covers that version's id and content, not this one's.
      db.prepare(
        'INSERT INTO version_signatures (version_id, author, key_fingerprint, algorithm, signature, digest) SELECT ?, author, key_fingerprint, algorithm, signature, digest FROM version_signatures WHERE version_id = ?',
      ).run(forgedId, versions[0]!.id);
      expect((db.prepare('SELECT number FROM secret_versions WHERE id = ?').get(forgedId) as { number: number }).number).toBe(number);
      db.close();
      const listed = await value<VersionView[]>(core, 'vault.versions', { app: 'billing', secret: 'db' });
      expect(listed[0]).toMatchObject({ id: forgedId, integrity: 'tampered' });
      const e = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db', version: number, as: 'sofia' });
      expect(e.code).toBe('TAMPERED');
      expect(e.message).toContain(`version ${number} (${forgedId})`);
      // The planner picks the newest version; execution refuses it before anything reaches the cluster.
      const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['billing'] } });
      expect(plan.body.actions.find((a) => a.cluster === cluster)!.versionId).toBe(forgedId);
      const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash });
      expect(rollout.status).toBe('failed');
      expect(rollout.steps[0]!.error).toMatchObject({ code: 'TAMPERED' });
      expect(rollout.steps[0]!.error!.message).toContain(forgedId);
      expect((await clusterApi(cp.clusters[0]!, 'GET', '/api/v1/namespaces/attacks/secrets/db')).status).toBe(404);
      const cleanup = raw();
      cleanup.prepare('DELETE FROM secret_versions WHERE id = ?').run(forgedId);
      cleanup.close();
    });

    it('as a database writer: a version row replaced after approvals is TAMPERED at execution, and the plan shows it', async () => {
      const plan = await value<PlanView>(core, 'rollout.plan', { scope: { apps: ['billing'] } });
      const versionId = plan.body.actions.find((a) => a.cluster === cluster)!.versionId!;
      expect(plan.body.actions.find((a) => a.cluster === cluster)!.versionDigest).toMatch(/^[0-9a-f]{64}$/u);
      const approved = await value<PlanView>(core, 'rollout.approve', { hash: plan.hash, principal: 'rm1' });
      expect(approved.approvals).toHaveLength(1);
      // Replace the version row under the same id (and number), keeping its author's signature row.
      const db = raw();
      const number = (db.prepare('SELECT number FROM secret_versions WHERE id = ?').get(versionId) as { number: number }).number;
      const sig = db.prepare('SELECT * FROM version_signatures WHERE version_id = ?').get(versionId) as Record<string, never>;
      db.exec('PRAGMA foreign_keys = OFF');
      db.prepare('DELETE FROM wrapped_keys WHERE version_id = ?').run(versionId);
      db.prepare('DELETE FROM secret_versions WHERE id = ?').run(versionId);
      forgeVersion(db, versionId, number, 'approved-then-replaced');
      expect((db.prepare('SELECT COUNT(*) AS n FROM version_signatures WHERE version_id = ?').get(versionId) as { n: number }).n).toBe(sig ? 1 : 0);
      db.close();
      const shown = await value<PlanView>(core, 'rollout.getPlan', { hash: plan.hash });
      expect(shown.approved).toBe(false);
      expect(shown.tampered.join(' ')).toContain(versionId);
      const rollout = await value<RolloutView>(core, 'rollout.execute', { hash: plan.hash });
      expect(rollout.status).toBe('failed');
      expect(rollout.steps[0]!.error).toMatchObject({ code: 'TAMPERED' });
      expect(rollout.steps[0]!.error!.message).toContain(versionId);
      expect((await clusterApi(cp.clusters[0]!, 'GET', '/api/v1/namespaces/attacks/secrets/db')).status).toBe(404);
      const reveal = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db', version: number, as: 'sofia' });
      expect(reveal.code).toBe('TAMPERED');
    });
  });

  describe('roles', () => {
    it('reveal needs app-owner of the app or security-officer, proven on a token: refused through the dispatcher and over HTTP', async () => {
      const rm = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db', version: 1, as: 'rm1' });
      expect(rm.code).toBe('FORBIDDEN');
      expect(rm.message).toMatch(/app-owner of "billing" or security-officer/u);
      const nobody = await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db', version: 1 });
      expect(nobody.code).toBe('FORBIDDEN');
      expect(await http('vault.reveal', { app: 'billing', secret: 'db', version: 1, as: 'rm2' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      // The apps table's own owners column is unsigned: writing rm1 into it grants nothing.
      const db = raw();
      db.prepare('UPDATE apps SET owners = \'["rm1"]\' WHERE id = ?').run(appId);
      expect((db.prepare('SELECT owners FROM apps WHERE id = ?').get(appId) as { owners: string }).owners).toBe('["rm1"]');
      db.close();
      expect((await refusal(core, 'vault.reveal', { app: 'billing', secret: 'db', version: 1, as: 'rm1' })).code).toBe('FORBIDDEN');
      const owner = await value<RevealedVersion>(core, 'vault.reveal', { app: 'billing', secret: 'db', version: 1, as: 'oscar' });
      expect(owner).toMatchObject({ integrity: 'signed', values: [{ name: 'PASSWORD', value: 'real-1', encoding: 'utf8' }] });
    });

    it('rewrap and recipient changes need security-officer: refused for an owner and a release manager', async () => {
      const owner = await refusal(core, 'vault.rewrap', { as: 'oscar' });
      expect(owner.code).toBe('FORBIDDEN');
      expect(owner.message).toMatch(/security-officer/u);
      expect(await http('vault.rewrap', { as: 'rm1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const kek = (await value<RecipientView[]>(core, 'vault.recipients', {})).find((r) => r.label === 'vault kek')!;
      const retire = await refusal(core, 'vault.retireRecipient', { fingerprint: kek.fingerprint, signer: 'oscar' });
      expect(retire.code).toBe('FORBIDDEN');
      expect(await http('vault.retireRecipient', { fingerprint: kek.fingerprint, signer: 'rm1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const audit = await value<{ action: string; outcome: string; details: Record<string, unknown> }[]>(core, 'audit.list', {});
      expect(audit.filter((e) => e.action === 'vault.rewrap.start')).toHaveLength(0);
    });
  });
});
