// The token layer against real SoftHSM2 tokens (primary and backup), with OpenSC's pkcs11-tool
// as a second, independent client. Every log record and error message of the suite is kept and
// searched for the test PINs at the end.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCore, type Core } from '../../../electron/core/index.ts';
import { memorySink, processSinks } from '../../../electron/core/log/logger.ts';
import {
  decodeWrappedKey,
  encodeWrappedKey,
  recipientFromPublicKey,
  unwrapOnToken,
  verifySignature,
  wrapInSoftware,
  wrapOnToken,
  type WrappedKey,
} from '../../../electron/core/hsm/index.ts';
import type { EventMessage, TokenKeyView, TokenModuleView, Result } from '../../../shared/contract/index.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';

const skipReason = softHsmSkipReason();
if (skipReason) console.warn(`[token-layer.test] skipped: ${skipReason}`);

const PRIMARY = { label: 'primary', pin: '481516-primary-pin', soPin: '902134-primary-so' };
const BACKUP = { label: 'backup', pin: '234223-backup-pin', soPin: '771902-backup-so' };
const PINS = [PRIMARY.pin, PRIMARY.soPin, BACKUP.pin, BACKUP.soPin, '000000-wrong-pin'];

const sink = memorySink();
const errorMessages: string[] = [];
const events: EventMessage[] = [];
let hsm: SoftHsm;
let core: Core;
let dataDir: string;
let primary: string;
let backup: string;

async function call<T>(channel: string, input: unknown): Promise<Result<T>> {
  const result = (await core.dispatcher.dispatch(channel, input, { transport: 'test' })) as Result<T>;
  if (!result.ok) errorMessages.push(result.error.message);
  return result;
}
async function value<T>(channel: string, input: unknown): Promise<T> {
  const result = await call<T>(channel, input);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}
async function rejects(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError);
    errorMessages.push((error as TesseraError).message);
    return error as TesseraError;
  }
  throw new Error('expected a rejection');
}

function waitForEvent(predicate: (m: EventMessage) => boolean, timeoutMs: number): Promise<EventMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('event did not arrive'));
    }, timeoutMs);
    const stop = core.events.subscribe((m) => {
      if (predicate(m)) {
        clearTimeout(timer);
        stop();
        resolve(m);
      }
    });
  });
}

const keys: Record<string, TokenKeyView> = {};

describe.skipIf(skipReason !== null)('token layer on SoftHSM2', () => {
  beforeAll(async () => {
    processSinks.push(sink);
    hsm = createSoftHsm([PRIMARY, BACKUP]);
    primary = hsm.tokens.find((t) => t.label === 'primary')!.serial;
    backup = hsm.tokens.find((t) => t.label === 'backup')!.serial;
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-hsm-data-'));
    core = createCore({ dataDir, version: 'test', host: 'cli', hsm: { autoLockMs: 60_000, presencePollMs: 100, keychain: null } }, { logSinks: [] });
    core.services.settings.set({ pkcs11Modules: [hsm.module] });
    core.events.subscribe((m) => events.push(m));
  });

  afterAll(async () => {
    await core?.close();
    hsm?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    processSinks.splice(processSinks.indexOf(sink), 1);
  });

  it('lists the module, both tokens with their flags and mechanisms, locked', async () => {
    const modules = await value<TokenModuleView[]>('hsm.tokens', {});
    expect(modules).toHaveLength(1);
    const m = modules[0]!;
    expect(m.problem).toBeNull();
    expect(m.manufacturer).toBe('SoftHSM');
    const tokens = m.slots.flatMap((s) => (s.token ? [s.token] : []));
    const p = tokens.find((t) => t.serial === primary)!;
    expect(p.label).toBe('primary');
    expect(p.model).toBe('SoftHSM v2');
    expect(p.firmwareVersion).toMatch(/^\d+\.\d+$/u);
    expect(p.flags).toMatchObject({
      loginRequired: true,
      tokenInitialized: true,
      userPinInitialized: true,
      protectedAuthenticationPath: false,
      userPinLocked: false,
    });
    expect(p.state).toBe('locked');
    const oaep = p.mechanisms.find((x) => x.name === 'CKM_RSA_PKCS_OAEP')!;
    expect(oaep.flags).toEqual(expect.arrayContaining(['decrypt', 'encrypt']));
    expect(oaep.maxKeySize).toBeGreaterThanOrEqual(4096);
    expect(tokens.some((t) => t.serial === backup)).toBe(true);
  });

  it('reports a bad module path and a library that is not a PKCS#11 module clearly', async () => {
    const { TokenService } = await import('../../../electron/core/hsm/index.ts');
    const { createEventBus } = await import('../../../electron/core/events.ts');
    const service = new TokenService({
      modulePaths: () => ['/nonexistent/libnothing.so', '/usr/lib/x86_64-linux-gnu/libz.so.1'],
      log: core.log,
      events: createEventBus(),
      autoLockMs: () => 1000,
    });
    const modules = await service.listModules();
    expect(modules[0]!.problem).toMatch(/could not be loaded.*No such file/u);
    expect(modules[1]!.problem).toMatch(/could not be loaded.*C_GetFunctionList/u);
    await service.close();
  });

  it('refuses a wrong PIN with PIN_INCORRECT and never echoes a PIN', async () => {
    const wrong = await call('hsm.login', { tokenSerial: primary, pin: '000000-wrong-pin' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('PIN_INCORRECT');
      expect(wrong.error.message).toMatch(/wrong/u);
    }
    const invalid = await call('hsm.login', { tokenSerial: primary, pin: '' });
    expect(!invalid.ok && invalid.error.code).toBe('INVALID_INPUT');
    const typed = await call('hsm.login', { tokenSerial: primary, pin: 123456 });
    expect(!typed.ok && typed.error.message).not.toContain('123456');
  });

  it('unlocks both tokens and announces it with token.state', async () => {
    const p = await value<{ state: string }>('hsm.login', { tokenSerial: primary, pin: PRIMARY.pin });
    expect(p.state).toBe('unlocked');
    const b = await value<{ state: string }>('hsm.login', { tokenSerial: backup, pin: BACKUP.pin });
    expect(b.state).toBe('unlocked');
    expect(events.filter((e) => e.event === 'token.state' && (e.payload as { reason: string }).reason === 'login')).toHaveLength(2);
  });

  it('generates each key type on the token: sensitive, not extractable, with a random CKA_ID', async () => {
    for (const type of ['rsa-2048', 'rsa-3072', 'ec-p256', 'ec-p384', 'aes-256'] as const) {
      keys[type] = await value<TokenKeyView>('hsm.generateKey', { tokenSerial: primary, type, label: `kek-${type}` });
    }
    keys['backup-ec-p256'] = await value<TokenKeyView>('hsm.generateKey', { tokenSerial: backup, type: 'ec-p256', label: 'backup-ec' });
    keys['backup-aes-256'] = await value<TokenKeyView>('hsm.generateKey', { tokenSerial: backup, type: 'aes-256', label: 'backup-aes' });
    expect(keys['rsa-2048']).toMatchObject({ type: 'rsa', size: 2048, sensitive: true, extractable: false, label: 'kek-rsa-2048' });
    expect(keys['rsa-3072']).toMatchObject({ type: 'rsa', size: 3072 });
    expect(keys['ec-p256']).toMatchObject({ type: 'ec', curve: 'P-256', sensitive: true, extractable: false });
    expect(keys['ec-p384']).toMatchObject({ type: 'ec', curve: 'P-384' });
    expect(keys['aes-256']).toMatchObject({ type: 'aes', size: 256, sensitive: true, extractable: false, publicKeyPem: null });
    expect(keys['rsa-2048']!.keyId).toMatch(/^[0-9a-f]{32}$/u);
    expect(keys['rsa-2048']!.keyId).not.toBe(keys['rsa-3072']!.keyId);
  });

  it('lists keys with capabilities and exports the public key as SPKI with its SHA-256 fingerprint', async () => {
    const list = await value<TokenKeyView[]>('hsm.keys', { tokenSerial: primary });
    expect(list.map((k) => k.label).sort()).toEqual(['kek-aes-256', 'kek-ec-p256', 'kek-ec-p384', 'kek-rsa-2048', 'kek-rsa-3072']);
    const rsa = list.find((k) => k.label === 'kek-rsa-2048')!;
    expect(rsa.capabilities).toMatchObject({ decrypt: true, unwrap: true, sign: true });
    const ec = list.find((k) => k.label === 'kek-ec-p256')!;
    expect(ec.capabilities).toMatchObject({ derive: true, sign: true });
    const aes = list.find((k) => k.label === 'kek-aes-256')!;
    expect(aes.capabilities).toMatchObject({ wrap: true, unwrap: true });
    for (const k of [rsa, ec]) {
      const der = createPublicKey(k.publicKeyPem!).export({ type: 'spki', format: 'der' });
      expect(k.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    }
    expect(aes.fingerprint).toBe(createHash('sha256').update(`tessera-aes|${primary}|${aes.keyId}`).digest('hex'));
  });

  it('registers a recipient from a PEM public key alone', () => {
    const r = recipientFromPublicKey(keys['ec-p384']!.publicKeyPem!, { label: 'from-pem' });
    expect(r).toMatchObject({ kind: 'ecdh-es', curve: 'P-384', fingerprint: keys['ec-p384']!.fingerprint });
    const rsa = recipientFromPublicKey(keys['rsa-3072']!.publicKeyPem!);
    expect(rsa).toMatchObject({ kind: 'rsa-oaep', oaepHash: 'sha256', fingerprint: keys['rsa-3072']!.fingerprint });
    expect(() => recipientFromPublicKey('not a key')).toThrow(TesseraError);
  });

  describe('wrapping schemes', () => {
    it('RSA-OAEP: probes the token (SoftHSM2 2.6 needs SHA-1), wraps in software, unwraps on the token', async () => {
      const tokens = core.services.tokens();
      const recipient = await tokens.recipientForKey(primary, keys['rsa-3072']!.keyId);
      expect(recipient).toMatchObject({ kind: 'rsa-oaep', oaepHash: 'sha1', fingerprint: keys['rsa-3072']!.fingerprint });
      const dek = randomBytes(32);
      const wrapped = wrapInSoftware(recipient, dek);
      expect(wrapped.scheme).toBe('rsa-oaep-sha1');
      expect(wrapped.data).toHaveLength(384);
      const session = await tokens.session(primary);
      expect(await unwrapOnToken(session, wrapped)).toEqual(dek);
      // The record survives its JSON form.
      const record = JSON.parse(JSON.stringify(encodeWrappedKey(wrapped)));
      expect(await unwrapOnToken(session, decodeWrappedKey(record), recipient)).toEqual(dek);
      // A SHA-256 record on a token that cannot do it: a clear MECHANISM_UNSUPPORTED.
      const sha256 = wrapInSoftware({ ...recipient, oaepHash: 'sha256' }, dek);
      expect(sha256.scheme).toBe('rsa-oaep-sha256');
      const refused = await rejects(unwrapOnToken(session, sha256, recipient));
      expect(refused.code).toBe('MECHANISM_UNSUPPORTED');
      expect(refused.message).toContain('CKM_RSA_PKCS_OAEP');
    });

    it('ECDH-ES P-256 and P-384: ephemeral key in software, ECDH on the token, HKDF, AES key wrap', async () => {
      const tokens = core.services.tokens();
      const session = await tokens.session(primary);
      for (const [type, scheme] of [
        ['ec-p256', 'ecdh-es+a256kw-p256'],
        ['ec-p384', 'ecdh-es+a256kw-p384'],
      ] as const) {
        const recipient = await tokens.recipientForKey(primary, keys[type]!.keyId);
        // Wrapping needs the public key only.
        const fromPem = recipientFromPublicKey(keys[type]!.publicKeyPem!);
        const dek = randomBytes(32);
        const wrapped = wrapInSoftware(fromPem, dek);
        expect(wrapped.scheme).toBe(scheme);
        expect(wrapped.data).toHaveLength(40);
        expect(wrapped.epk).toBeDefined();
        expect(await unwrapOnToken(session, wrapped, recipient)).toEqual(dek);
        expect(await unwrapOnToken(session, wrapped)).toEqual(dek);
        const flipped: WrappedKey = { ...wrapped, data: Buffer.from(wrapped.data) };
        flipped.data[5]! ^= 1;
        const tampered = await rejects(unwrapOnToken(session, flipped, recipient));
        expect(tampered.code).toBe('TAMPERED');
        expect(tampered.details?.recipient).toBe(wrapped.recipient);
      }
    });

    it('AES-256 on the token: key wrap with padding, and AES-GCM, both ways', async () => {
      const tokens = core.services.tokens();
      const session = await tokens.session(primary);
      const recipient = await tokens.recipientForKey(primary, keys['aes-256']!.keyId);
      expect(recipient).toMatchObject({ kind: 'aes-kw', aesScheme: 'aes-kwp', fingerprint: keys['aes-256']!.fingerprint });
      const dek = randomBytes(32);
      const kwp = await wrapOnToken(session, recipient, dek);
      expect(kwp.scheme).toBe('aes-kwp');
      expect(kwp.data).toHaveLength(40);
      expect(await unwrapOnToken(session, kwp)).toEqual(dek);
      const gcm = await wrapOnToken(session, { ...recipient, aesScheme: 'aes-gcm' }, dek);
      expect(gcm.scheme).toBe('aes-gcm');
      expect(gcm.nonce).toHaveLength(12);
      expect(gcm.data).toHaveLength(48);
      expect(await unwrapOnToken(session, gcm, recipient)).toEqual(dek);
      for (const w of [kwp, gcm]) {
        const flipped = { ...w, data: Buffer.from(w.data) };
        flipped.data[0]! ^= 0x80;
        const e = await rejects(unwrapOnToken(session, flipped, recipient));
        expect(e.code, `${w.scheme}: ${JSON.stringify(e.details)}`).toBe('TAMPERED');
      }
      // An AES recipient cannot be wrapped without its token.
      expect(() => wrapInSoftware(recipient, dek)).toThrow(/token/u);
    });

    it('wraps one DEK for primary and backup; each token alone unwraps it', async () => {
      const tokens = core.services.tokens();
      const recipients = [
        await tokens.recipientForKey(primary, keys['ec-p256']!.keyId),
        await tokens.recipientForKey(backup, keys['backup-ec-p256']!.keyId),
        await tokens.recipientForKey(backup, keys['backup-aes-256']!.keyId),
      ];
      const dek = randomBytes(32);
      const backupSession = await tokens.session(backup);
      const wrapped = [wrapInSoftware(recipients[0]!, dek), wrapInSoftware(recipients[1]!, dek), await wrapOnToken(backupSession, recipients[2]!, dek)];
      expect(await unwrapOnToken(await tokens.session(primary), wrapped[0]!)).toEqual(dek);
      expect(await unwrapOnToken(backupSession, wrapped[1]!)).toEqual(dek);
      expect(await unwrapOnToken(backupSession, wrapped[2]!)).toEqual(dek);
      // The primary token does not hold the backup's key.
      expect((await rejects(unwrapOnToken(await tokens.session(primary), wrapped[1]!))).code).toBe('NOT_FOUND');
    });
  });

  it('signs with ECDSA P-256/SHA-256, P-384/SHA-384 and RSA-PSS-SHA256; verifies in software', async () => {
    const tokens = core.services.tokens();
    const plan = Buffer.from('{"actions":[{"provision":"payments/db"}]}');
    for (const [type, algorithm] of [
      ['ec-p256', 'ecdsa-p256-sha256'],
      ['ec-p384', 'ecdsa-p384-sha384'],
      ['rsa-2048', 'rsa-pss-sha256'],
    ] as const) {
      const sig = await tokens.sign(primary, keys[type]!.keyId, plan);
      expect(sig.algorithm).toBe(algorithm);
      expect(sig.keyFingerprint).toBe(keys[type]!.fingerprint);
      const spki = createPublicKey(keys[type]!.publicKeyPem!).export({ type: 'spki', format: 'der' });
      expect(verifySignature(spki, algorithm, plan, sig.signature)).toBe(true);
      const other = Buffer.from(plan);
      other[3]! ^= 1;
      expect(verifySignature(spki, algorithm, other, sig.signature)).toBe(false);
    }
  });

  it('pkcs11-tool (OpenSC) sees the keys as sensitive and non-extractable, and decrypts a DEK Tessera wrapped', async () => {
    if (spawnSync('pkcs11-tool', ['--help'], { stdio: 'ignore' }).error) return void console.warn('[token-layer.test] pkcs11-tool not on PATH: skipped');
    const base = ['--module', hsm.module, '--token-label', 'primary', '--login', '--pin', PRIMARY.pin];
    const listing = execFileSync('pkcs11-tool', [...base, '--list-objects', '--type', 'privkey'], { env: hsm.env, encoding: 'utf8' });
    const block = listing.split(/\n(?=Private Key Object)/u).find((b) => b.includes('kek-rsa-3072'))!;
    expect(block).toMatch(/ID:\s+([0-9a-f]+)/u);
    expect(/ID:\s+([0-9a-f]+)/u.exec(block)![1]).toBe(keys['rsa-3072']!.keyId);
    expect(block).toMatch(/Access:.*sensitive/u);
    expect(block).toMatch(/never extractable/u);
    const access = /Access:\s*(.*)/u
      .exec(block)![1]!
      .split(',')
      .map((x) => x.trim());
    expect(access).not.toContain('extractable');
    const recipient = await core.services.tokens().recipientForKey(primary, keys['rsa-3072']!.keyId);
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-p11tool-'));
    try {
      writeFileSync(join(dir, 'wrapped.bin'), wrapped.data);
      execFileSync(
        'pkcs11-tool',
        [
          ...base,
          '--decrypt',
          '-m',
          'RSA-PKCS-OAEP',
          '--hash-algorithm',
          'SHA-1',
          '--mgf',
          'MGF1-SHA1',
          '--id',
          keys['rsa-3072']!.keyId,
          '--input-file',
          join(dir, 'wrapped.bin'),
          '--output-file',
          join(dir, 'dek.bin'),
        ],
        { env: hsm.env, stdio: 'pipe' },
      );
      expect(readFileSync(join(dir, 'dek.bin'))).toEqual(dek);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the event loop responsive (lag < 50 ms) while an RSA-4096 key is generated', async () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    let maxDrift = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxDrift = Math.max(maxDrift, now - last - 10);
      last = now;
    }, 10);
    histogram.enable();
    const started = performance.now();
    keys['rsa-4096'] = await value<TokenKeyView>('hsm.generateKey', { tokenSerial: primary, type: 'rsa-4096', label: 'kek-rsa-4096' });
    const took = performance.now() - started;
    histogram.disable();
    clearInterval(ticker);
    expect(keys['rsa-4096']).toMatchObject({ type: 'rsa', size: 4096 });
    console.info(
      `[token-layer.test] RSA-4096 generation took ${took.toFixed(0)} ms; max timer drift ${maxDrift.toFixed(1)} ms; event-loop delay p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms`,
    );
    expect(maxDrift).toBeLessThan(50);
    // p99 rather than max for the histogram: on a shared 2-core machine a single scheduler hiccup
    // of another process is not the event loop being blocked.
    expect(histogram.percentile(99) / 1e6).toBeLessThan(50);
  });

  it('locks on logout: an operation on the old session fails with TOKEN_LOCKED', async () => {
    const tokens = core.services.tokens();
    const session = await tokens.session(primary);
    const recipient = await tokens.recipientForKey(primary, keys['ec-p256']!.keyId);
    const wrapped = wrapInSoftware(recipient, randomBytes(32));
    const state = await value<{ state: string }>('hsm.logout', { tokenSerial: primary });
    expect(state.state).toBe('locked');
    expect(session.isUnlocked()).toBe(false);
    expect((await rejects(unwrapOnToken(session, wrapped, recipient))).code).toBe('TOKEN_LOCKED');
    const listed = await call('hsm.keys', { tokenSerial: primary });
    expect(!listed.ok && listed.error.code).toBe('TOKEN_LOCKED');
    // Wrapping for a public-key recipient still works with the token locked.
    expect(wrapInSoftware(recipient, randomBytes(32)).scheme).toBe('ecdh-es+a256kw-p256');
  });

  it('notices a removed token: locked state, token.state "removed", work fails with TOKEN_ABSENT', async () => {
    const tokens = core.services.tokens();
    const session = await tokens.session(backup);
    const recipient = await tokens.recipientForKey(backup, keys['backup-ec-p256']!.keyId);
    const wrapped = wrapInSoftware(recipient, randomBytes(32));
    const removed = waitForEvent((m) => m.event === 'token.state' && (m.payload as { reason: string }).reason === 'removed', 5_000);
    // SoftHSM2 has no hot-plug: deleting the token's store is the closest thing to pulling it out.
    execFileSync('softhsm2-util', ['--delete-token', '--token', 'backup'], { env: hsm.env, stdio: 'pipe' });
    const event = await removed;
    expect(event.payload).toMatchObject({ tokenSerial: backup, state: 'absent' });
    expect((await rejects(unwrapOnToken(session, wrapped, recipient))).code).toBe('TOKEN_ABSENT');
  });

  it('locks an idle token by itself after the auto-lock time', async () => {
    core.config.hsm!.autoLockMs = 300;
    await value('hsm.login', { tokenSerial: primary, pin: PRIMARY.pin });
    const started = Date.now();
    const locked = await waitForEvent(
      (m) =>
        m.event === 'token.state' &&
        (m.payload as { reason: string; tokenSerial: string }).reason === 'idle' &&
        (m.payload as { tokenSerial: string }).tokenSerial === primary,
      5_000,
    );
    expect((locked.payload as { tokenSerial: string }).tokenSerial).toBe(primary);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const after = await call('hsm.keys', { tokenSerial: primary });
    expect(!after.ok && after.error.code).toBe('TOKEN_LOCKED');
    core.config.hsm!.autoLockMs = 60_000;
  });

  it('never logs or returns a test PIN', () => {
    expect(sink.records.length).toBeGreaterThan(0);
    expect(errorMessages.length).toBeGreaterThan(0);
    const haystack = [...sink.records.map((r) => JSON.stringify(r)), ...errorMessages].join('\n');
    for (const pin of PINS) expect(haystack).not.toContain(pin);
  });
});
