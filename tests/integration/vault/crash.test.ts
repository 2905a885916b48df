// Rotation survives crashes: a child process rewrapping many versions is SIGKILLed at several
// points; after each kill the database passes integrity_check, every version is wrapped for
// exactly the old or exactly the new recipient set and decrypts, and a rerun completes the job.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Core } from '../../../electron/core/index.ts';
import { openDatabase } from '../../../electron/core/store/index.ts';
import { VaultService, tokenAccess } from '../../../electron/core/vault/index.ts';
import { TrustStore, tokenSigner } from '../../../electron/core/rollout/index.ts';
import { AuditLog } from '../../../electron/core/audit/index.ts';
import { bootstrapOfficer, dispatchCaller } from '../../support/officer.ts';
import type { RecipientView, TokenKeyView } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import { makeCore, rawDb, tempDir, value } from './helpers.ts';

const skipReason = softHsmSkipReason();
const CHILD = fileURLToPath(new URL('./rewrap-child.ts', import.meta.url));
const OLD = { label: 'crash-old', pin: '112358-old', soPin: '132134-old-so' };
const NEW = { label: 'crash-new', pin: '558914-new', soPin: '233377-new-so' };
const VERSIONS = 150;

let hsm: SoftHsm;
let core: Core;
let data: ReturnType<typeof tempDir>;
let oldSerial: string;
let newSerial: string;
let oldFp: string;
let newFp: string;

/** Runs the child until it reports `killAt` versions done (then SIGKILLs it) or finishes. */
function runChild(killAt: number | null): Promise<{ killed: boolean; lastProgress: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, data.dir, hsm.module, oldSerial, 'OLD_PIN', newSerial, 'NEW_PIN'], {
      env: { ...hsm.env, OLD_PIN: OLD.pin, NEW_PIN: NEW.pin, TESSERA_PRINCIPAL: 'officer' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let lastProgress = 0;
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      for (const m of chunk.matchAll(/progress (\d+)/gu)) lastProgress = Number(m[1]);
      if (killAt !== null && !killed && lastProgress >= killAt) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve({ killed, lastProgress, output }));
  });
}

function checkEveryVersion(): Promise<{ oldSet: number; newSet: number }> {
  const db = rawDb(data.dir);
  const integrity = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
  expect(integrity).toEqual([{ integrity_check: 'ok' }]);
  const sets = db
    .prepare('SELECT v.id, group_concat(w.recipient) AS r FROM secret_versions v LEFT JOIN wrapped_keys w ON w.version_id = v.id GROUP BY v.id')
    .all() as { id: string; r: string | null }[];
  db.close();
  expect(sets).toHaveLength(VERSIONS);
  let oldSet = 0;
  let newSet = 0;
  for (const s of sets) {
    const r = (s.r ?? '').split(',').sort().join(',');
    if (r === oldFp) oldSet++;
    else if (r === newFp) newSet++;
    else throw new Error(`version ${s.id} is wrapped for neither the old nor the new set: ${r}`);
  }
  const vaultDb = openDatabase(data.dir);
  const tokens = () => tokenAccess(core.services.tokens());
  const trust = new TrustStore({ db: vaultDb, dataDir: data.dir, signer: tokenSigner(tokens), audit: new AuditLog(vaultDb), actor: () => 'checker' });
  const vault = new VaultService({ db: vaultDb, log: core.log, tokens, actor: () => 'checker', trust: () => trust });
  return vault
    .withVersions(
      sets.map((s) => s.id),
      (opened) => {
        expect(opened.entries.map((e) => e.name)).toEqual(['N', 'PASSWORD']);
        return opened.version.number;
      },
    )
    .then((numbers) => {
      expect(numbers).toHaveLength(VERSIONS);
      return { oldSet, newSet };
    })
    .finally(() => vault.close());
}

describe.skipIf(skipReason !== null)('rewrap after crashes', () => {
  beforeAll(async () => {
    hsm = createSoftHsm([OLD, NEW]);
    oldSerial = hsm.tokens.find((t) => t.label === OLD.label)!.serial;
    newSerial = hsm.tokens.find((t) => t.label === NEW.label)!.serial;
    data = tempDir('tessera-crash-');
    core = makeCore(data.dir, hsm.module, { TESSERA_PRINCIPAL: 'officer' });
    await value(core, 'hsm.login', { tokenSerial: oldSerial, pin: OLD.pin });
    await value(core, 'hsm.login', { tokenSerial: newSerial, pin: NEW.pin });
    // The security officer signs recipients, versions and the rewrap (the child unlocks this token too).
    await bootstrapOfficer(dispatchCaller(core), oldSerial, 'officer');
    const oldKey = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: oldSerial, type: 'ec-p256', label: 'old' });
    const newKey = await value<TokenKeyView>(core, 'hsm.generateKey', { tokenSerial: newSerial, type: 'ec-p256', label: 'new' });
    oldFp = (await value<RecipientView>(core, 'vault.addRecipient', { publicKeyPem: oldKey.publicKeyPem, label: 'old' })).fingerprint;
    await value(core, 'vault.createApp', { name: 'many', namespace: 'many' });
    for (let s = 0; s < 10; s++) {
      await value(core, 'vault.defineSecret', { app: 'many', name: `s${s}`, delivery: 'env' });
      for (let v = 0; v < VERSIONS / 10; v++) {
        await value(core, 'vault.writeVersion', {
          app: 'many',
          secret: `s${s}`,
          values: [
            { name: 'PASSWORD', value: `pw-${s}-${v}` },
            { name: 'N', value: String(v) },
          ],
        });
      }
    }
    newFp = (await value<RecipientView>(core, 'vault.addRecipient', { publicKeyPem: newKey.publicKeyPem, label: 'new' })).fingerprint;
    await value(core, 'vault.retireRecipient', { fingerprint: oldFp });
    // The core's own connection is closed so only the child writes while it runs.
    core.services.vault().close();
  });

  afterAll(async () => {
    await core?.close();
    hsm?.cleanup();
    data?.cleanup();
  });

  it('stays consistent and readable through several kills, then completes', async () => {
    const seen: number[] = [];
    let atLeast = 0;
    // Each run counts its own progress: kill after 3, then 20 more, three times.
    for (const killAt of [3, 20, 20, 20]) {
      const run = await runChild(killAt);
      expect(run.killed).toBe(true);
      expect(run.output).not.toMatch(/done/u);
      const counts = await checkEveryVersion();
      seen.push(counts.newSet);
      atLeast += killAt;
      expect(counts.oldSet + counts.newSet).toBe(VERSIONS);
      expect(counts.newSet).toBeGreaterThanOrEqual(atLeast);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)!).toBeLessThan(VERSIONS);
    const final = await runChild(null);
    expect(final.output, final.output).toMatch(/done .*"pending":0/u);
    const counts = await checkEveryVersion();
    expect(counts).toEqual({ oldSet: 0, newSet: VERSIONS });
  });
});
