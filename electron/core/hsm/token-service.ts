// The token layer's domain service: modules → slots → tokens → sessions → keys. It owns one
// worker per module (loaded on first use), one session per unlocked token, the idle auto-lock,
// and removal polling. Nothing here holds a PIN beyond the call that uses it.
import { createHash, createPublicKey, publicEncrypt, constants, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  TesseraError,
  type KeyType,
  type KeychainStatus,
  type TokenFlags,
  type TokenInfoView,
  type TokenKeyView,
  type TokenLockState,
  type TokenModuleView,
  type TokenStateEvent,
} from '../../../shared/contract/index.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { MapContext } from './errors.ts';
import type { PinKeychain } from './keychain.ts';
import { ModuleWorker } from './module-worker.ts';
import { aesFingerprint, curveFromParams, spkiFingerprint, spkiFromRawKey, spkiPem } from './spki.ts';
import { aesRecipient, type Recipient } from './wrapping.ts';
import type { KeyTypeSpec, RawKey, RawModuleInfo, RawSlot, RawTokenInfo } from './worker-protocol.ts';

/** An unlocked token as the vault and signing code see it. Operations fail with TOKEN_LOCKED or TOKEN_ABSENT once it is not. */
export interface TokenSession {
  readonly tokenSerial: string;
  readonly label: string;
  /** Runs one worker operation against this token's session (used by the wrapping schemes). */
  call<T>(op: string, args: Record<string, unknown>, context?: MapContext): Promise<T>;
  /** CKM_ names the token lists. */
  mechanisms(): string[];
  /** The CKA_ID of the key with this fingerprint; NOT_FOUND if the token has none. */
  keyIdFor(fingerprint: string): Promise<string>;
  /** SPKI DER of the key with this CKA_ID. */
  publicKeyFor(keyId: string): Promise<Buffer>;
  isUnlocked(): boolean;
}

export interface TokenServiceOptions {
  /** Module paths to load (settings and discovery), read when the service first starts. */
  modulePaths: () => string[];
  log: Logger;
  events: EventBus;
  /** Idle time before an unlocked token is locked again, in ms (read at each check). */
  autoLockMs: () => number;
  /** Who is acting, to record who unlocked a token. */
  actor?: () => string;
  /** How often unlocked tokens are checked for presence (ms). Default 2000. */
  presencePollMs?: number;
  keychain?: PinKeychain;
  keychainPolicy?: () => 'forbidden' | 'allowed';
}

interface ModuleState {
  path: string;
  worker: ModuleWorker | null;
  info: RawModuleInfo | null;
  problem: string | null;
  ready: Promise<void>;
}

interface TokenEntry {
  module: ModuleState;
  slotId: string;
  info: RawTokenInfo;
  mechanisms: string[];
  mechanismViews: TokenInfoView['mechanisms'];
  session: string | null;
  absent: boolean;
  lastUsed: number;
  /** Who unlocked the token (the acting user at login). */
  unlockedBy: string | null;
  inFlight: number;
  cancels: Set<(error: TesseraError) => void>;
  keys: RawKey[] | null;
  oaep: Map<string, 'sha256' | 'sha1'>;
}

const KEY_SPECS: Record<KeyType, KeyTypeSpec> = {
  'rsa-2048': { kind: 'rsa', bits: 2048 },
  'rsa-3072': { kind: 'rsa', bits: 3072 },
  'rsa-4096': { kind: 'rsa', bits: 4096 },
  'ec-p256': { kind: 'ec', curve: 'P-256' },
  'ec-p384': { kind: 'ec', curve: 'P-384' },
  'aes-256': { kind: 'aes', bits: 256 },
};

const GENERATE_MECHANISM: Record<KeyTypeSpec['kind'], string> = { rsa: 'CKM_RSA_PKCS_KEY_PAIR_GEN', ec: 'CKM_EC_KEY_PAIR_GEN', aes: 'CKM_AES_KEY_GEN' };

export type SignatureAlgorithm = 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'rsa-pss-sha256';

export interface TokenSignature {
  algorithm: SignatureAlgorithm;
  /** ECDSA: IEEE P1363 (r || s); RSA-PSS: the raw signature. */
  signature: Buffer;
  /** Fingerprint of the signing key's SPKI. */
  keyFingerprint: string;
}

/** What signing and key lookups need of a key, derived once per listed key (SPKI building costs ~0.1 ms). */
interface KeyFacts {
  spki: Buffer | null;
  fingerprint: string;
}

interface KeyIndex {
  byId: Map<string, RawKey>;
  /** Built on the first lookup by fingerprint. */
  byFingerprint: Map<string, RawKey> | null;
}

export class TokenService {
  private readonly options: TokenServiceOptions;
  /** Per listed key: its SPKI and fingerprint. Keyed by the RawKey object, so a new key list (login, generate, refresh) starts afresh. */
  private readonly facts = new WeakMap<RawKey, KeyFacts>();
  /** Per key list: the keys by CKA_ID and by fingerprint. */
  private readonly indexes = new WeakMap<RawKey[], KeyIndex>();
  /** True once every loaded module has settled; operations then skip the start-up wait. */
  private allReady = false;
  private readonly log: Logger;
  private readonly modules = new Map<string, ModuleState>();
  private readonly extraPaths: string[] = [];
  private readonly tokens = new Map<string, TokenEntry>();
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(options: TokenServiceOptions) {
    this.options = options;
    this.log = options.log;
  }

  /** Adds a module for this process only (the CLI's --module). */
  addModule(path: string): void {
    if (!this.extraPaths.includes(path)) this.extraPaths.push(path);
    if (this.started) this.loadModule(path);
  }

  private loadModule(path: string): ModuleState {
    const existing = this.modules.get(path);
    if (existing) return existing;
    this.allReady = false;
    const state: ModuleState = { path, worker: null, info: null, problem: null, ready: Promise.resolve() };
    state.ready = (async () => {
      const worker = new ModuleWorker(path);
      try {
        state.info = await worker.call<RawModuleInfo>('init', { path });
        state.worker = worker;
        this.log.info('PKCS#11 module loaded', { path, manufacturer: state.info.manufacturer, version: state.info.libraryVersion });
      } catch (error) {
        state.problem = error instanceof TesseraError ? error.message : 'The module could not be initialised.';
        this.log.warn('PKCS#11 module unusable', { path, code: error instanceof TesseraError ? error.code : 'INTERNAL' });
        await worker.terminate();
      }
    })();
    this.modules.set(path, state);
    return state;
  }

  private async start(): Promise<void> {
    if (this.closed) throw new TesseraError('UNAVAILABLE', 'The token layer is shutting down.');
    if (this.allReady) return;
    if (!this.started) {
      this.started = true;
      for (const path of [...this.options.modulePaths(), ...this.extraPaths]) this.loadModule(path);
    }
    const count = this.modules.size;
    await Promise.all([...this.modules.values()].map((m) => m.ready));
    if (this.modules.size === count) this.allReady = true;
  }

  /** Re-reads every module's slots and tokens. */
  async refresh(): Promise<void> {
    await this.start();
    for (const module of this.modules.values()) {
      if (!module.worker) continue;
      let slots: RawSlot[];
      try {
        slots = await module.worker.call<RawSlot[]>('slots');
      } catch (error) {
        module.problem = error instanceof TesseraError ? error.message : 'Listing slots failed.';
        continue;
      }
      (module as ModuleState & { slots?: RawSlot[] }).slots = slots;
      for (const slot of slots) {
        if (!slot.token) continue;
        const serial = slot.token.serial;
        const existing = this.tokens.get(serial);
        if (existing && existing.module !== module) continue; // the same token through a second module: first one wins
        if (existing) {
          existing.info = slot.token;
          existing.slotId = slot.slotId;
          if (existing.absent && existing.session === null) existing.absent = false;
          continue;
        }
        this.tokens.set(serial, {
          module,
          slotId: slot.slotId,
          info: slot.token,
          mechanisms: slot.mechanisms.flatMap((m) => [m.name, ...m.aliases]),
          mechanismViews: slot.mechanisms.map(({ name, minKeySize, maxKeySize, flags }) => ({ name, minKeySize, maxKeySize, flags })),
          session: null,
          absent: false,
          lastUsed: 0,
          unlockedBy: null,
          inFlight: 0,
          cancels: new Set(),
          keys: null,
          oaep: new Map(),
        });
      }
      for (const [serial, entry] of this.tokens) {
        if (entry.module === module && !slots.some((s) => s.token?.serial === serial)) this.markRemoved(entry);
      }
    }
  }

  async listModules(): Promise<TokenModuleView[]> {
    await this.refresh();
    const remembered = await this.rememberedSerials();
    return [...this.modules.values()].map((m) => ({
      path: m.path,
      problem: m.problem,
      manufacturer: m.info?.manufacturer ?? null,
      description: m.info?.description ?? null,
      libraryVersion: m.info?.libraryVersion ?? null,
      slots: ((m as ModuleState & { slots?: RawSlot[] }).slots ?? []).map((s) => ({
        slotId: s.slotId,
        description: s.description,
        manufacturer: s.manufacturer,
        removable: s.removable,
        token: s.token ? this.view(this.tokens.get(s.token.serial)!, remembered.has(s.token.serial)) : null,
      })),
    }));
  }

  private async rememberedSerials(): Promise<Set<string>> {
    const set = new Set<string>();
    if (!this.options.keychain || this.options.keychainPolicy?.() === 'forbidden') return set;
    const status = await this.options.keychain.status();
    if (!status.available) return set;
    for (const serial of this.tokens.keys()) {
      try {
        if ((await this.options.keychain.get(serial)) !== null) set.add(serial);
      } catch {
        // unavailable: nothing remembered
      }
    }
    return set;
  }

  private view(entry: TokenEntry, pinRemembered = false): TokenInfoView {
    const f = entry.info.flags;
    const flags: TokenFlags = {
      loginRequired: !!f.loginRequired,
      protectedAuthenticationPath: !!f.protectedAuthenticationPath,
      tokenInitialized: !!f.tokenInitialized,
      userPinInitialized: !!f.userPinInitialized,
      userPinCountLow: !!f.userPinCountLow,
      userPinFinalTry: !!f.userPinFinalTry,
      userPinLocked: !!f.userPinLocked,
      userPinToBeChanged: !!f.userPinToBeChanged,
      writeProtected: !!f.writeProtected,
    };
    const i = entry.info;
    return {
      label: i.label,
      manufacturer: i.manufacturer,
      model: i.model,
      serial: i.serial,
      firmwareVersion: i.firmwareVersion,
      hardwareVersion: i.hardwareVersion,
      flags,
      state: this.stateOf(entry),
      pinRemembered,
      autoLockAt: entry.session && !entry.absent ? new Date(entry.lastUsed + this.options.autoLockMs()).toISOString() : null,
      unlockedBy: entry.session && !entry.absent ? entry.unlockedBy : null,
      mechanisms: entry.mechanismViews,
    };
  }

  private stateOf(entry: TokenEntry): TokenLockState {
    return entry.absent ? 'absent' : entry.session ? 'unlocked' : 'locked';
  }

  private async entry(serial: string): Promise<TokenEntry> {
    await this.start();
    let entry = this.tokens.get(serial);
    if (!entry) {
      await this.refresh();
      entry = this.tokens.get(serial);
    }
    if (!entry) throw new TesseraError('NOT_FOUND', `No token with serial ${serial} is present. Insert it, or check Settings → PKCS#11 modules.`);
    return entry;
  }

  /** Finds a token by serial or label (the CLI's --token). */
  async findToken(serialOrLabel: string): Promise<TokenInfoView> {
    await this.refresh();
    const entry = this.tokens.get(serialOrLabel) ?? [...this.tokens.values()].find((e) => e.info.label === serialOrLabel);
    if (!entry || entry.absent) throw new TesseraError('NOT_FOUND', `No token with label or serial "${serialOrLabel}" is present.`);
    return this.view(entry);
  }

  private emit(entry: TokenEntry, reason: TokenStateEvent['reason']) {
    this.options.events.emit('token.state', { tokenSerial: entry.info.serial, label: entry.info.label, state: this.stateOf(entry), reason });
  }

  private ctx(entry: TokenEntry, extra: MapContext = {}): MapContext {
    return { token: entry.info.label || entry.info.serial, removed: entry.absent, ...extra };
  }

  // ---- login / logout ----

  async login(serial: string, pin: string | undefined, options: { remember?: boolean } = {}): Promise<TokenInfoView> {
    const entry = await this.entry(serial);
    const worker = entry.module.worker!;
    const policy = this.options.keychainPolicy?.() ?? 'forbidden';
    const protectedPath = !!entry.info.flags.protectedAuthenticationPath;
    if (options.remember) {
      if (policy === 'forbidden') throw new TesseraError('FORBIDDEN', 'Remembering PINs is forbidden by the keychain policy in Settings.');
      if (!this.options.keychain) throw new TesseraError('UNAVAILABLE', 'This host has no OS keychain support.');
      const status = await this.options.keychain.status();
      if (!status.available) throw new TesseraError('UNAVAILABLE', `The OS keychain is not available (${status.reason}). Unlock without "remember".`);
    }
    let usedRemembered = false;
    if (pin === undefined && !protectedPath && this.options.keychain && policy === 'allowed') {
      const status = await this.options.keychain.status();
      const stored = status.available ? await this.options.keychain.get(serial) : null;
      if (stored !== null) {
        pin = stored;
        usedRemembered = true;
      }
    }
    if (pin === undefined && !protectedPath) {
      throw new TesseraError('INVALID_INPUT', `Token "${entry.info.label}" needs its PIN to unlock.`, { field: 'pin' });
    }
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present. Insert it and retry.`);
    const session = entry.session ?? (await worker.call<string>('openSession', { slot: entry.slotId }, this.ctx(entry)));
    try {
      await worker.call('login', { session, pin: pin ?? null }, this.ctx(entry));
    } catch (error) {
      if (error instanceof TesseraError && error.details?.ckr === 'CKR_USER_ALREADY_LOGGED_IN') {
        // Another session of ours is logged in already: fine.
      } else {
        if (!entry.session) await worker.call('closeSession', { session }).catch(() => undefined);
        throw await this.loginFailure(entry, error, usedRemembered);
      }
    }
    entry.session = session;
    entry.lastUsed = Date.now();
    entry.unlockedBy = this.options.actor?.() ?? null;
    entry.keys = null;
    if (options.remember && pin !== undefined && !usedRemembered) await this.options.keychain!.set(serial, pin);
    entry.info = await worker.call<RawTokenInfo>('tokenInfo', { slot: entry.slotId }, this.ctx(entry)).catch(() => entry.info);
    this.log.info('token unlocked', { token: serial, remembered: usedRemembered, protectedAuthenticationPath: protectedPath && pin === undefined });
    this.emit(entry, 'login');
    this.startTimers();
    const remembered = usedRemembered || options.remember === true;
    return this.view(entry, remembered);
  }

  private async loginFailure(entry: TokenEntry, error: unknown, usedRemembered: boolean): Promise<unknown> {
    if (!(error instanceof TesseraError)) return error;
    let info: RawTokenInfo | null = null;
    try {
      info = await entry.module.worker!.call<RawTokenInfo>('tokenInfo', { slot: entry.slotId });
      entry.info = info;
    } catch {
      // keep the original error
    }
    this.log.warn('token unlock refused', {
      token: entry.info.serial,
      code: error.code,
      finalTry: !!info?.flags.userPinFinalTry,
      locked: !!info?.flags.userPinLocked,
    });
    if (usedRemembered && error.code === 'PIN_INCORRECT' && this.options.keychain) {
      // A remembered PIN that is wrong must not burn the remaining tries.
      await this.options.keychain.delete(entry.info.serial).catch(() => false);
    }
    const name = entry.info.label;
    if (error.code === 'PIN_INCORRECT' && info?.flags.userPinLocked) {
      return new TesseraError(
        'PIN_LOCKED',
        `The PIN for token "${name}" was wrong and the token is now locked. Its security officer must reset the user PIN.`,
        { details: error.details ?? {} },
      );
    }
    if (error.code === 'PIN_INCORRECT') {
      const last = info?.flags.userPinFinalTry
        ? ' Only one try is left (last try): the next wrong PIN locks the token.'
        : info?.flags.userPinCountLow
          ? ' Few tries are left before the token locks.'
          : ' Repeated mistakes lock the token.';
      return new TesseraError(
        'PIN_INCORRECT',
        `The PIN for token "${name}" is wrong${usedRemembered ? ' (the remembered PIN was removed from the keychain)' : ''}.${last}`,
        {
          details: { ...(error.details ?? {}), finalTry: !!info?.flags.userPinFinalTry },
        },
      );
    }
    return error;
  }

  async logout(serial: string, reason: 'logout' | 'idle' | 'shutdown' = 'logout'): Promise<TokenInfoView> {
    const entry = await this.entry(serial);
    await this.lock(entry, reason);
    return this.view(entry);
  }

  private async lock(entry: TokenEntry, reason: 'logout' | 'idle' | 'shutdown') {
    const session = entry.session;
    if (!session) return;
    entry.session = null;
    entry.keys = null;
    const worker = entry.module.worker;
    if (worker) {
      await worker.call('logout', { session }).catch(() => undefined);
      await worker.call('closeSession', { session }).catch(() => undefined);
    }
    this.log.info('token locked', { token: entry.info.serial, reason });
    this.emit(entry, reason);
  }

  private markRemoved(entry: TokenEntry) {
    if (entry.absent) return;
    entry.absent = true;
    const hadSession = entry.session !== null;
    const session = entry.session;
    entry.session = null;
    entry.keys = null;
    const error = new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" was removed. Insert it and unlock it again.`);
    for (const cancel of entry.cancels) cancel(error);
    entry.cancels.clear();
    if (session) entry.module.worker?.call('closeSession', { session }).catch(() => undefined);
    this.log.warn('token removed', { token: entry.info.serial, hadSession });
    this.emit(entry, 'removed');
  }

  // ---- timers ----

  private startTimers() {
    if (!this.timer) {
      const every = Math.max(10, Math.min(1000, Math.floor(this.options.autoLockMs() / 5)));
      this.timer = setInterval(() => void this.checkIdle(), every);
      this.timer.unref();
    }
    if (!this.pollTimer) {
      this.pollTimer = setInterval(() => void this.pollPresence(), this.options.presencePollMs ?? 2000);
      this.pollTimer.unref();
    }
  }

  private async checkIdle() {
    const limit = this.options.autoLockMs();
    const now = Date.now();
    for (const entry of this.tokens.values()) {
      if (entry.session && entry.inFlight === 0 && now - entry.lastUsed >= limit) await this.lock(entry, 'idle');
    }
  }

  private polling = false;
  private async pollPresence() {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const entry of this.tokens.values()) {
        if (!entry.session || !entry.module.worker) continue;
        const present = await entry.module.worker.call<boolean>('present', { slot: entry.slotId, serial: entry.info.serial }).catch(() => false);
        if (!present) this.markRemoved(entry);
      }
    } finally {
      this.polling = false;
    }
  }

  /** Checks presence now (tests and after a suspicious failure). */
  async checkPresence(): Promise<void> {
    await this.pollPresence();
  }

  // ---- sessions ----

  private async run<T>(entry: TokenEntry, op: string, args: Record<string, unknown>, context: MapContext = {}): Promise<T> {
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present. Insert it and unlock it again.`);
    const session = entry.session;
    if (!session) throw new TesseraError('TOKEN_LOCKED', `Token "${entry.info.label}" is locked. Unlock it with its PIN and retry.`);
    entry.inFlight++;
    entry.lastUsed = Date.now();
    let cancel: ((e: TesseraError) => void) | null = null;
    try {
      // One promise per operation: the worker's answer settles it, or a removal cancels it first.
      return await new Promise<T>((resolve, reject) => {
        cancel = reject;
        entry.cancels.add(reject);
        entry.module.worker!.call<T>(op, { ...args, session }, this.ctx(entry, context)).then(resolve, reject);
      });
    } catch (error) {
      if (error instanceof TesseraError && (error.code === 'TOKEN_LOCKED' || error.code === 'DEVICE_ERROR') && !entry.absent) {
        await this.pollPresence();
        if (entry.absent)
          throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" was removed during the operation. Insert it, unlock it and retry.`);
        if (error.code === 'TOKEN_LOCKED' && entry.session === session) {
          // The token logged us out (e.g. it was reset): reflect it.
          await this.lock(entry, 'logout');
        }
      }
      throw error;
    } finally {
      entry.inFlight--;
      entry.lastUsed = Date.now();
      if (cancel) entry.cancels.delete(cancel);
    }
  }

  /** The session of an unlocked token, for the vault and signing. */
  async session(serial: string): Promise<TokenSession> {
    const entry = await this.entry(serial);
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present.`);
    if (!entry.session) throw new TesseraError('TOKEN_LOCKED', `Token "${entry.info.label}" is locked. Unlock it with its PIN and retry.`);
    // The session object's methods outlive this call; they need the service itself.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    return {
      tokenSerial: entry.info.serial,
      label: entry.info.label,
      call: (op, args, context) => service.run(entry, op, args, context),
      mechanisms: () => entry.mechanisms,
      isUnlocked: () => entry.session !== null && !entry.absent,
      async keyIdFor(fingerprint) {
        const match = service.keyByFingerprint(entry, await service.rawKeys(entry), fingerprint);
        if (!match)
          throw new TesseraError(
            'NOT_FOUND',
            `Token "${entry.info.label}" has no key with fingerprint ${fingerprint.slice(0, 16)}…. Unlock the token that holds it.`,
          );
        return match.id;
      },
      async publicKeyFor(keyId) {
        const key = service.index(await service.rawKeys(entry)).byId.get(keyId);
        const spki = key ? service.factsOf(entry, key).spki : null;
        if (!spki) throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no public key for CKA_ID ${keyId}.`);
        return Buffer.from(spki);
      },
    };
  }

  private async rawKeys(entry: TokenEntry): Promise<RawKey[]> {
    entry.keys ??= await this.run<RawKey[]>(entry, 'listKeys', {});
    return entry.keys;
  }

  private factsOf(entry: TokenEntry, key: RawKey): KeyFacts {
    let facts = this.facts.get(key);
    if (!facts) {
      if (key.keyClass === 'secret') facts = { spki: null, fingerprint: aesFingerprint(entry.info.serial, key.id) };
      else {
        const spki = spkiFromRawKey(key);
        facts = { spki, fingerprint: spki ? spkiFingerprint(spki) : '' };
      }
      this.facts.set(key, facts);
    }
    return facts;
  }

  private index(keys: RawKey[]): KeyIndex {
    let index = this.indexes.get(keys);
    if (!index) {
      index = { byId: new Map(), byFingerprint: null };
      for (const k of keys) if (!index.byId.has(k.id)) index.byId.set(k.id, k);
      this.indexes.set(keys, index);
    }
    return index;
  }

  /** The first key of the list with this fingerprint (the fingerprints are computed once per key list). */
  private keyByFingerprint(entry: TokenEntry, keys: RawKey[], fingerprint: string): RawKey | undefined {
    const index = this.index(keys);
    if (!index.byFingerprint) {
      const byFingerprint = new Map<string, RawKey>();
      for (const k of keys) {
        let fp = '';
        try {
          fp = this.factsOf(entry, k).fingerprint;
        } catch {
          // A public part the token returned unreadable: that key has no fingerprint to match.
        }
        if (fp !== '' && !byFingerprint.has(fp)) byFingerprint.set(fp, k);
      }
      index.byFingerprint = byFingerprint;
    }
    return index.byFingerprint.get(fingerprint);
  }

  private fingerprintOf(entry: TokenEntry, key: RawKey): string {
    return this.factsOf(entry, key).fingerprint;
  }

  private keyView(entry: TokenEntry, key: RawKey): TokenKeyView {
    const spki = key.keyClass === 'private' ? spkiFromRawKey(key) : null;
    const modulusBits = key.modulus
      ? Buffer.from(key.modulus, 'hex')
          .toString('hex')
          .replace(/^(00)+/u, '').length * 4
      : null;
    return {
      tokenSerial: entry.info.serial,
      label: key.label,
      keyId: key.id,
      type: key.keyType,
      size: key.keyType === 'rsa' ? modulusBits : key.valueLength ? key.valueLength * 8 : null,
      curve: key.keyType === 'ec' ? curveFromParams(key.ecParams) : null,
      capabilities: { decrypt: key.decrypt, unwrap: key.unwrap, derive: key.derive, sign: key.sign, wrap: key.wrap, encrypt: key.encrypt },
      sensitive: key.sensitive,
      extractable: key.extractable,
      fingerprint: this.fingerprintOf(entry, key),
      publicKeyPem: spki ? spkiPem(spki) : null,
    };
  }

  async keys(serial: string): Promise<TokenKeyView[]> {
    const entry = await this.entry(serial);
    entry.keys = null;
    const keys = await this.rawKeys(entry);
    return keys.filter((k) => k.decrypt || k.unwrap || k.derive || k.sign).map((k) => this.keyView(entry, k));
  }

  async generateKey(serial: string, type: KeyType, label: string): Promise<TokenKeyView> {
    const entry = await this.entry(serial);
    const spec = KEY_SPECS[type];
    const mechanism = GENERATE_MECHANISM[spec.kind];
    if (!entry.mechanisms.includes(mechanism)) {
      throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" cannot generate ${type} keys: it does not list ${mechanism}.`, {
        details: { mechanism },
      });
    }
    const key = await this.run<RawKey>(entry, 'generate', { spec, label }, { mechanism });
    entry.keys = null;
    this.log.info('key generated', { token: serial, type, keyId: key.id });
    return this.keyView(entry, key);
  }

  /**
   * The recipient for a key on an unlocked token. RSA keys are probed once with a real trial
   * decrypt: SHA-256 OAEP when the token can, SHA-1 OAEP otherwise.
   */
  async recipientForKey(serial: string, keyId: string): Promise<Recipient> {
    const entry = await this.entry(serial);
    const key = (await this.rawKeys(entry)).find((k) => k.id === keyId.toLowerCase());
    if (!key) throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no key with CKA_ID ${keyId}.`);
    const base = { tokenSerial: entry.info.serial, keyId: key.id, ...(key.label ? { label: key.label } : {}) };
    if (key.keyClass === 'secret') {
      const kwp = entry.mechanismViews.find((m) => m.name === 'CKM_AES_KEY_WRAP_PAD');
      if (kwp && kwp.flags.includes('wrap') && kwp.flags.includes('unwrap')) return aesRecipient(entry.info.serial, key.id, 'aes-kwp', key.label);
      if (entry.mechanisms.includes('CKM_AES_GCM')) return aesRecipient(entry.info.serial, key.id, 'aes-gcm', key.label);
      throw new TesseraError(
        'MECHANISM_UNSUPPORTED',
        `Token "${entry.info.label}" lists neither CKM_AES_KEY_WRAP_PAD nor CKM_AES_GCM, so its AES keys cannot wrap data keys.`,
        { details: { mechanism: 'CKM_AES_KEY_WRAP_PAD' } },
      );
    }
    const spki = spkiFromRawKey(key);
    if (!spki) throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no readable public key for CKA_ID ${keyId}.`);
    const fingerprint = spkiFingerprint(spki);
    if (key.keyType === 'ec') {
      if (!entry.mechanisms.includes('CKM_ECDH1_DERIVE'))
        throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" does not list CKM_ECDH1_DERIVE, which ECDH-ES needs.`, {
          details: { mechanism: 'CKM_ECDH1_DERIVE' },
        });
      return { kind: 'ecdh-es', fingerprint, publicKeySpki: spki, curve: curveFromParams(key.ecParams)!, ...base };
    }
    if (!entry.mechanisms.includes('CKM_RSA_PKCS_OAEP'))
      throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" does not list CKM_RSA_PKCS_OAEP.`, {
        details: { mechanism: 'CKM_RSA_PKCS_OAEP' },
      });
    const oaepHash = entry.oaep.get(key.id) ?? (await this.probeOaep(entry, key.id, spki));
    entry.oaep.set(key.id, oaepHash);
    return { kind: 'rsa-oaep', fingerprint, publicKeySpki: spki, oaepHash, ...base };
  }

  private async probeOaep(entry: TokenEntry, keyId: string, spki: Buffer): Promise<'sha256' | 'sha1'> {
    for (const hash of ['sha256', 'sha1'] as const) {
      const probe = randomBytes(32);
      const data = publicEncrypt(
        { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
        probe,
      );
      try {
        const out = await this.run<Buffer>(entry, 'decryptOaep', { keyId, hash, data });
        const same = out.length === probe.length && timingSafeEqual(out, probe);
        out.fill(0);
        if (same) {
          this.log.info('RSA-OAEP capability probed', { token: entry.info.serial, hash });
          return hash;
        }
      } catch (error) {
        if (!(error instanceof TesseraError) || error.code !== 'MECHANISM_UNSUPPORTED') throw error;
      } finally {
        probe.fill(0);
      }
    }
    throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" cannot decrypt RSA-OAEP with SHA-256 or SHA-1 (CKM_RSA_PKCS_OAEP).`, {
      details: { mechanism: 'CKM_RSA_PKCS_OAEP' },
    });
  }

  /** Signs with a key on an unlocked token: ECDSA over a software digest, or RSA-PSS-SHA256. */
  async sign(serial: string, keyId: string, data: Buffer): Promise<TokenSignature> {
    const entry = await this.entry(serial);
    const key = this.index(await this.rawKeys(entry)).byId.get(keyId.toLowerCase());
    if (!key || key.keyClass !== 'private' || !key.sign)
      throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no signing key with CKA_ID ${keyId}.`);
    const keyFingerprint = this.factsOf(entry, key).fingerprint;
    if (key.keyType === 'ec') {
      const curve = curveFromParams(key.ecParams);
      if (!curve) throw new TesseraError('MECHANISM_UNSUPPORTED', 'Only P-256 and P-384 keys can sign.');
      if (!entry.mechanisms.includes('CKM_ECDSA'))
        throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" does not list CKM_ECDSA.`, { details: { mechanism: 'CKM_ECDSA' } });
      const digest = createHash(curve === 'P-256' ? 'sha256' : 'sha384')
        .update(data)
        .digest();
      const signature = await this.run<Buffer>(entry, 'sign', { keyId: key.id, scheme: 'ecdsa', data: digest }, { mechanism: 'CKM_ECDSA' });
      return { algorithm: curve === 'P-256' ? 'ecdsa-p256-sha256' : 'ecdsa-p384-sha384', signature, keyFingerprint };
    }
    if (key.keyType === 'rsa') {
      if (!entry.mechanisms.includes('CKM_SHA256_RSA_PKCS_PSS'))
        throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" does not list CKM_SHA256_RSA_PKCS_PSS.`, {
          details: { mechanism: 'CKM_SHA256_RSA_PKCS_PSS' },
        });
      const signature = await this.run<Buffer>(entry, 'sign', { keyId: key.id, scheme: 'rsa-pss-sha256', data }, { mechanism: 'CKM_SHA256_RSA_PKCS_PSS' });
      return { algorithm: 'rsa-pss-sha256', signature, keyFingerprint };
    }
    throw new TesseraError('MECHANISM_UNSUPPORTED', 'Only RSA and EC keys can sign.');
  }

  // ---- keychain ----

  async keychainStatus(serial: string): Promise<KeychainStatus> {
    const policy = this.options.keychainPolicy?.() ?? 'forbidden';
    if (!this.options.keychain) return { tokenSerial: serial, available: false, reason: 'This host has no OS keychain support.', policy, remembered: false };
    const status = await this.options.keychain.status();
    let remembered = false;
    if (status.available) remembered = (await this.options.keychain.get(serial).catch(() => null)) !== null;
    const reason = policy === 'forbidden' ? 'Remembering PINs is forbidden by the keychain policy in Settings.' : status.reason;
    return { tokenSerial: serial, available: status.available, reason, policy, remembered };
  }

  async keychainForget(serial: string): Promise<KeychainStatus> {
    if (this.options.keychain) {
      const status = await this.options.keychain.status();
      if (status.available) await this.options.keychain.delete(serial);
    }
    return this.keychainStatus(serial);
  }

  /** Locks every token, finalizes every module and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const entry of this.tokens.values()) await this.lock(entry, 'shutdown').catch(() => undefined);
    for (const module of this.modules.values()) {
      await module.ready;
      if (!module.worker) continue;
      await module.worker.call('finalize').catch(() => undefined);
      await module.worker.terminate();
    }
  }
}
