// The token layer's domain service: what the rest of core calls. It composes the registry
// (modules, slots, which token is which, presence, recovery), sessions and login (here), the key
// index per session (key-index.ts), PIN memory (pin-memory.ts) and recipients (recipients.ts).
// Every PKCS#11 call runs in the module's worker, through the typed operation map in
// worker-protocol.ts. Nothing here holds a PIN beyond the call (or the one operation) that uses it.
import { createHash } from 'node:crypto';
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
import { KeyIndex } from './key-index.ts';
import type { PinKeychain } from './keychain.ts';
import { PinMemory } from './pin-memory.ts';
import { recipientFor } from './recipients.ts';
import { curveFromParams } from './spki.ts';
import { TokenRegistry, needsRecovery, type TokenEntry } from './token-registry.ts';
import type { Recipient, WrappingSession } from './wrapping.ts';
import {
  KEY_OPS,
  type KeyListing,
  type KeyTypeSpec,
  type OpArgs,
  type OpResult,
  type RawKey,
  type RawSlot,
  type SessionOp,
  type SessionOpArgs,
} from './worker-protocol.ts';

/**
 * An unlocked token as the vault and signing code see it (the wrapping schemes' port). Operations
 * fail with TOKEN_LOCKED or TOKEN_ABSENT once it is not. Its `tokenSerial` is how channels name the
 * token (its serial where that identifies it; see TokenInfoView.serial).
 */
export type TokenSession = WrappingSession;

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
  /**
   * Where the PIN for one operation with a CKA_ALWAYS_AUTHENTICATE key comes from when none was
   * approved through login() (the CLI reads the same --pin-env variable again). Undefined: ask.
   */
  operationPin?: OperationPinSource;
}

/** Supplies the PIN for one operation with a CKA_ALWAYS_AUTHENTICATE key, or undefined to ask the user instead. */
export type OperationPinSource = (token: TokenInfoView) => Promise<string | undefined> | string | undefined;

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

export class TokenService {
  private readonly options: TokenServiceOptions;
  private readonly log: Logger;
  private readonly registry: TokenRegistry;
  private readonly pins: PinMemory;
  private readonly extraPaths: string[] = [];
  /** True once every loaded module has settled; operations then skip the start-up wait. */
  private allReady = false;
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private polling = false;
  private operationPin: OperationPinSource | undefined;

  constructor(options: TokenServiceOptions) {
    this.options = options;
    this.operationPin = options.operationPin;
    this.log = options.log;
    this.registry = new TokenRegistry({ log: options.log, emit: (entry, reason) => this.emit(entry, reason) });
    this.pins = new PinMemory(options.keychain, options.keychainPolicy);
  }

  /** Where PINs for single operations come from in this process (the CLI: the run's --pin-env). */
  setOperationPinSource(source: OperationPinSource | undefined): void {
    this.operationPin = source;
  }

  /** Adds a module for this process only (the CLI's --module). */
  addModule(path: string): void {
    if (!this.extraPaths.includes(path)) this.extraPaths.push(path);
    if (this.started) {
      this.allReady = false;
      this.registry.loadModule(path);
    }
  }

  private async start(): Promise<void> {
    if (this.closed) throw new TesseraError('UNAVAILABLE', 'The token layer is shutting down.');
    if (this.allReady) return;
    if (!this.started) {
      this.started = true;
      for (const path of [...this.options.modulePaths(), ...this.extraPaths]) this.registry.loadModule(path);
    }
    const count = this.registry.modules.size;
    await Promise.all([...this.registry.modules.values()].map((m) => m.ready));
    if (this.registry.modules.size === count) this.allReady = true;
  }

  /** Re-reads every module's slots and tokens (and re-initialises a module that lost its connection). */
  async refresh(): Promise<void> {
    await this.start();
    await this.registry.refresh();
  }

  async listModules(): Promise<TokenModuleView[]> {
    await this.refresh();
    const tokens = this.registry.tokens();
    const remembered = await this.pins.rememberedOf(tokens.map((e) => e.ref));
    return [...this.registry.modules.values()].map((m) => ({
      path: m.path,
      problem: m.problem,
      manufacturer: m.info?.manufacturer ?? null,
      description: m.info?.description ?? null,
      libraryVersion: m.info?.libraryVersion ?? null,
      slots: (m.lost ? [] : m.slots).map((s) => {
        const entry = tokens.find((e) => e.module === m && e.slotId === s.slotId && !e.absent);
        return {
          slotId: s.slotId,
          description: s.description,
          manufacturer: s.manufacturer,
          removable: s.removable,
          token: entry ? this.view(entry, remembered.has(entry.ref)) : s.token ? this.blankView(s) : null,
        };
      }),
    }));
  }

  private flags(f: Record<string, boolean>): TokenFlags {
    return {
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
  }

  /** An uninitialised token: shown in its slot, but not a token anyone can use or name. */
  private blankView(slot: RawSlot): TokenInfoView {
    const i = slot.token!;
    return {
      label: i.label,
      manufacturer: i.manufacturer,
      model: i.model,
      serial: `${i.serial}/${i.label}#uninitialised-${slot.slotId}`,
      serialNumber: i.serial,
      firmwareVersion: i.firmwareVersion,
      hardwareVersion: i.hardwareVersion,
      flags: this.flags(i.flags),
      state: 'locked',
      pinRemembered: false,
      autoLockAt: null,
      unlockedBy: null,
      mechanisms: [],
      keyTypes: [],
      operationPinNeeded: false,
    };
  }

  private view(entry: TokenEntry, pinRemembered = false): TokenInfoView {
    const i = entry.info;
    const live = entry.session !== null && !entry.absent;
    return {
      label: i.label,
      manufacturer: i.manufacturer,
      model: i.model,
      serial: entry.ref,
      serialNumber: i.serial,
      firmwareVersion: i.firmwareVersion,
      hardwareVersion: i.hardwareVersion,
      flags: this.flags(i.flags),
      state: this.stateOf(entry),
      pinRemembered,
      autoLockAt: live ? new Date(entry.lastUsed + this.options.autoLockMs()).toISOString() : null,
      unlockedBy: live ? entry.unlockedBy : null,
      mechanisms: entry.mechanismViews,
      keyTypes: entry.keyTypes,
      operationPinNeeded: live && entry.operationPinNeeded,
    };
  }

  private stateOf(entry: TokenEntry): TokenLockState {
    return entry.absent ? 'absent' : entry.session ? 'unlocked' : 'locked';
  }

  private async entry(ref: string): Promise<TokenEntry> {
    await this.start();
    let entry = this.registry.find(ref);
    if (!entry || entry.absent) {
      await this.refresh();
      entry = this.registry.find(ref);
    }
    if (!entry) throw new TesseraError('NOT_FOUND', `No token "${ref}" is present. Insert it, or check Settings → PKCS#11 modules.`);
    return entry;
  }

  /** Finds a token by its reference, serial or label (the CLI's --token). */
  async findToken(name: string): Promise<TokenInfoView> {
    await this.refresh();
    const entry = this.registry.find(name);
    if (!entry || entry.absent) throw new TesseraError('NOT_FOUND', `No token with label or serial "${name}" is present.`);
    return this.view(entry);
  }

  private emit(entry: TokenEntry, reason: TokenStateEvent['reason']) {
    this.options.events.emit('token.state', { tokenSerial: entry.ref, label: entry.info.label, state: this.stateOf(entry), reason });
  }

  private ctx(entry: TokenEntry, extra: MapContext = {}): MapContext {
    return { token: entry.info.label || entry.ref, removed: entry.absent, ...extra };
  }

  // ---- login / logout ----

  /**
   * Unlocks a token. On a token that is unlocked already, a PIN approves one operation with a key
   * that needs the PIN every time (CKA_ALWAYS_AUTHENTICATE).
   */
  async login(ref: string, pin: string | undefined, options: { remember?: boolean } = {}): Promise<TokenInfoView> {
    let entry = await this.entry(ref);
    if (entry.session && !entry.absent && pin !== undefined) {
      this.pins.approveOneOperation(entry.ref, pin);
      entry.operationPinNeeded = false;
      this.log.info('one operation approved with the PIN', { token: entry.ref });
      return this.view(entry);
    }
    if (entry.module.lost || !entry.module.worker) {
      await this.refresh();
      entry = await this.entry(ref);
    }
    const worker = entry.module.worker;
    if (!worker) throw new TesseraError('UNAVAILABLE', `The module of token "${entry.info.label}" is not loaded: ${entry.module.problem ?? 'unknown reason'}.`);
    const protectedPath = !!entry.info.flags.protectedAuthenticationPath;
    if (options.remember) await this.pins.assertCanRemember();
    let usedRemembered = false;
    if (pin === undefined && !protectedPath) {
      const stored = await this.pins.stored(entry.ref);
      if (stored !== null) {
        pin = stored;
        usedRemembered = true;
      }
    }
    if (pin === undefined && !protectedPath) {
      throw new TesseraError('INVALID_INPUT', `Token "${entry.info.label}" needs its PIN to unlock.`, { field: 'pin' });
    }
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present. Insert it (or reconnect the HSM) and retry.`);
    const session = entry.session ?? (await worker.call('openSession', { slot: entry.slotId }, this.ctx(entry)));
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
    entry.operationPinNeeded = false;
    if (options.remember && pin !== undefined && !usedRemembered) await this.pins.store(entry.ref, pin);
    entry.info = await worker.call('tokenInfo', { slot: entry.slotId }, this.ctx(entry)).catch(() => entry.info);
    this.log.info('token unlocked', { token: entry.ref, remembered: usedRemembered, protectedAuthenticationPath: protectedPath && pin === undefined });
    this.emit(entry, 'login');
    this.startTimers();
    return this.view(entry, usedRemembered || options.remember === true);
  }

  private async loginFailure(entry: TokenEntry, error: unknown, usedRemembered: boolean): Promise<unknown> {
    if (!(error instanceof TesseraError)) return error;
    let info: TokenEntry['info'] | null = null;
    try {
      info = await entry.module.worker!.call('tokenInfo', { slot: entry.slotId });
      entry.info = info;
    } catch {
      // keep the original error
    }
    this.log.warn('token unlock refused', { token: entry.ref, code: error.code, finalTry: !!info?.flags.userPinFinalTry, locked: !!info?.flags.userPinLocked });
    if (usedRemembered && error.code === 'PIN_INCORRECT') await this.pins.dropWrong(entry.ref);
    const name = entry.info.label;
    if (error.code === 'PIN_INCORRECT' && info?.flags.userPinLocked) {
      return new TesseraError(
        'PIN_LOCKED',
        `The PIN for token "${name}" was wrong and the token is now locked. Its security officer must reset the user PIN.`,
        {
          details: error.details ?? {},
        },
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
        { details: { ...(error.details ?? {}), finalTry: !!info?.flags.userPinFinalTry } },
      );
    }
    return error;
  }

  async logout(ref: string, reason: 'logout' | 'idle' | 'shutdown' = 'logout'): Promise<TokenInfoView> {
    const entry = await this.entry(ref);
    await this.lock(entry, reason);
    return this.view(entry);
  }

  private async lock(entry: TokenEntry, reason: 'logout' | 'idle' | 'shutdown') {
    const session = entry.session;
    if (!session) return;
    entry.session = null;
    entry.keys = null;
    entry.operationPinNeeded = false;
    this.pins.dropOperationPins(entry.ref);
    const worker = entry.module.worker;
    if (worker) {
      await worker.call('logout', { session }).catch(() => undefined);
      await worker.call('closeSession', { session }).catch(() => undefined);
    }
    this.log.info('token locked', { token: entry.ref, reason });
    this.emit(entry, reason);
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
    for (const entry of this.registry.tokens()) {
      if (entry.session && entry.inFlight === 0 && now - entry.lastUsed >= limit) await this.lock(entry, 'idle');
    }
  }

  private async pollPresence() {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const entry of this.registry.tokens()) {
        if (!entry.session || !entry.module.worker || entry.module.recovering) continue;
        let present = false;
        try {
          present = await entry.module.worker.call('present', { slot: entry.slotId, serial: entry.info.serial, label: entry.info.label });
        } catch (error) {
          // A module that lost its device or connection is re-initialised; its tokens then need a new login.
          if (needsRecovery(error)) {
            await this.registry.recover(entry.module, error instanceof TesseraError ? String(error.details?.ckr ?? error.code) : 'presence check failed');
            continue;
          }
        }
        if (!present) this.registry.markRemoved(entry);
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

  /** The key that an operation uses, when it needs a context-specific login (CKA_ALWAYS_AUTHENTICATE). */
  private async contextPinFor(entry: TokenEntry, op: SessionOp, keyId: string | undefined): Promise<{ pin: string; approved: boolean } | undefined> {
    if (!KEY_OPS.has(op) || keyId === undefined) return undefined;
    const key = (await this.keyIndex(entry)).byKeyId(keyId);
    if (!key?.alwaysAuthenticate) return undefined;
    const approved = this.pins.takeOperationPin(entry.ref);
    if (approved !== undefined) return { pin: approved, approved: true };
    const pin = await this.operationPin?.(this.view(entry));
    if (pin !== undefined) return { pin, approved: false };
    entry.operationPinNeeded = true;
    this.emit(entry, 'login');
    throw new TesseraError(
      'TOKEN_LOCKED',
      `Key "${key.label || key.id}" on token "${entry.info.label}" asks for the PIN for every use (CKA_ALWAYS_AUTHENTICATE). Enter the token's PIN to approve this operation.`,
      { details: { alwaysAuthenticate: true, keyId: key.id } },
    );
  }

  private async run<K extends SessionOp>(entry: TokenEntry, op: K, args: SessionOpArgs<K>, context: MapContext = {}): Promise<OpResult<K>> {
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present. Insert it and unlock it again.`);
    const session = entry.session;
    if (!session) throw new TesseraError('TOKEN_LOCKED', `Token "${entry.info.label}" is locked. Unlock it with its PIN and retry.`);
    const keyId = (args as { keyId?: string }).keyId;
    const context_ = await this.contextPinFor(entry, op, keyId);
    const contextPin = context_?.pin;
    entry.inFlight++;
    entry.lastUsed = Date.now();
    let cancel: ((e: TesseraError) => void) | null = null;
    try {
      // One promise per operation: the worker's answer settles it, or a removal cancels it first.
      return await new Promise<OpResult<K>>((resolve, reject) => {
        cancel = reject;
        entry.cancels.add(reject);
        const full = { ...args, session, ...(contextPin === undefined ? {} : { contextPin }) } as unknown as OpArgs<K>;
        entry.module.worker!.call(op, full, this.ctx(entry, context)).then(resolve, reject);
      });
    } catch (error) {
      // An approval that was not used (the token refused the mechanism before any login) stays for the next try.
      if (context_?.approved && error instanceof TesseraError && error.code === 'MECHANISM_UNSUPPORTED') this.pins.approveOneOperation(entry.ref, context_.pin);
      throw await this.afterFailure(entry, session, error);
    } finally {
      entry.inFlight--;
      entry.lastUsed = Date.now();
      if (cancel) entry.cancels.delete(cancel);
    }
  }

  /**
   * After a failed operation: a removed token, a token that lost its session, or a module that lost
   * its device or connection (finalised and re-initialised in its worker). Returns the error to throw.
   */
  private async afterFailure(entry: TokenEntry, session: string, error: unknown): Promise<unknown> {
    if (!(error instanceof TesseraError) || entry.absent || entry.session !== session) return error;
    if (error.code !== 'TOKEN_LOCKED' && error.code !== 'DEVICE_ERROR' && error.code !== 'TOKEN_ABSENT') return error;
    if (error.details?.alwaysAuthenticate) return error;
    if (needsRecovery(error)) {
      const ckr = String(error.details?.ckr ?? 'no answer');
      if (!(await this.registry.answers(entry.module))) {
        const ok = await this.registry.recover(entry.module, ckr);
        if (ok && !entry.absent)
          return new TesseraError(
            'TOKEN_LOCKED',
            `Token "${entry.info.label}" lost its connection (${ckr}). Tessera re-initialised its module; log in to the token again and retry.`,
            { details: { ckr, recovered: true } },
          );
        return new TesseraError(
          'TOKEN_ABSENT',
          `Token "${entry.info.label}" cannot be reached (${ckr}). Reconnect it or its HSM; Tessera re-initialises the module when it is back, then log in again.`,
          { details: { ckr } },
        );
      }
    }
    await this.pollPresence();
    if (entry.absent) return new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" was removed during the operation. Insert it, unlock it and retry.`);
    if (error.details?.ckr === 'CKR_SESSION_HANDLE_INVALID' && entry.session === session) {
      // The module answers but our session is gone (the token was reset): log in again.
      this.registry.markRemoved(entry, 'reset');
      return new TesseraError(
        'TOKEN_LOCKED',
        `Token "${entry.info.label}" lost its session (CKR_SESSION_HANDLE_INVALID). Log in to the token again and retry.`,
        {
          details: { ckr: 'CKR_SESSION_HANDLE_INVALID' },
        },
      );
    }
    // The token logged us out (e.g. it was reset): reflect it.
    if (error.code === 'TOKEN_LOCKED' && entry.session === session) await this.lock(entry, 'logout');
    return error;
  }

  /** The session of an unlocked token, for the vault and signing. */
  async session(ref: string): Promise<TokenSession> {
    const entry = await this.entry(ref);
    if (entry.absent) throw new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" is not present.`);
    if (!entry.session) throw new TesseraError('TOKEN_LOCKED', `Token "${entry.info.label}" is locked. Unlock it with its PIN and retry.`);
    // The session object's methods outlive this call; they need the service itself.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    return {
      tokenSerial: entry.ref,
      label: entry.info.label,
      call: (op, args, context) => service.run(entry, op, args, context),
      mechanisms: () => entry.mechanisms,
      isUnlocked: () => entry.session !== null && !entry.absent,
      async keyIdFor(fingerprint) {
        const match = (await service.keyIndex(entry)).byFingerprintOf(fingerprint);
        if (!match)
          throw new TesseraError(
            'NOT_FOUND',
            `Token "${entry.info.label}" has no key with fingerprint ${fingerprint.slice(0, 16)}…. Unlock the token that holds it.`,
          );
        return match.id;
      },
      async publicKeyFor(keyId) {
        const index = await service.keyIndex(entry);
        const key = index.byKeyId(keyId);
        const spki = key ? index.factsOf(key).spki : null;
        if (!spki) throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no public key for CKA_ID ${keyId}.`);
        return Buffer.from(spki);
      },
    };
  }

  /** The key index of the token's session: listed once per session (one attribute read per key). */
  private async keyIndex(entry: TokenEntry, listing?: KeyListing): Promise<KeyIndex> {
    if (!entry.keys || listing) {
      const session = entry.session;
      const raw = await this.run(entry, 'listKeys', listing ? { listing } : {});
      const index = new KeyIndex(raw, entry.info.serial, entry.ref);
      if (entry.session === session) entry.keys = index;
      return index;
    }
    return entry.keys;
  }

  /** Keys that can unwrap, decrypt, derive or sign. `fresh` re-reads them from the token (keys made by other tools). */
  async keys(ref: string, options: { fresh?: boolean; listing?: KeyListing } = {}): Promise<TokenKeyView[]> {
    const entry = await this.entry(ref);
    if (options.fresh) entry.keys = null;
    return (await this.keyIndex(entry, options.listing)).usable();
  }

  async generateKey(ref: string, type: KeyType, label: string): Promise<TokenKeyView> {
    const entry = await this.entry(ref);
    const spec = KEY_SPECS[type];
    const mechanism = GENERATE_MECHANISM[spec.kind];
    const capability = entry.keyTypes.find((c) => c.type === type);
    if (capability && !capability.canCreate) {
      throw new TesseraError('MECHANISM_UNSUPPORTED', `Token "${entry.info.label}" will not create this key. ${capability.reason}`, { details: { mechanism } });
    }
    const key = await this.run(entry, 'generate', { spec, label }, { mechanism });
    entry.keys = null;
    this.log.info('key generated', { token: entry.ref, type, keyId: key.id });
    return new KeyIndex([key], entry.info.serial, entry.ref).view(key);
  }

  /**
   * The recipient for a key on an unlocked token. RSA keys are probed once with a real trial
   * decrypt: SHA-256 OAEP when the token can, SHA-1 OAEP otherwise.
   */
  async recipientForKey(ref: string, keyId: string): Promise<Recipient> {
    const entry = await this.entry(ref);
    const key = (await this.keyIndex(entry)).byKeyId(keyId);
    if (!key) throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no key with CKA_ID ${keyId}.`);
    return recipientFor(entry, key, (args) => this.run(entry, 'decryptOaep', args), this.log);
  }

  /** Signs with a key on an unlocked token: ECDSA over a software digest, or RSA-PSS-SHA256. */
  async sign(ref: string, keyId: string, data: Buffer): Promise<TokenSignature> {
    const entry = await this.entry(ref);
    const index = await this.keyIndex(entry);
    const key: RawKey | undefined = index.byKeyId(keyId);
    if (!key || key.keyClass !== 'private' || !key.sign)
      throw new TesseraError('NOT_FOUND', `Token "${entry.info.label}" has no signing key with CKA_ID ${keyId}.`);
    const keyFingerprint = index.factsOf(key).fingerprint;
    if (key.keyType === 'ec') {
      const curve = curveFromParams(key.ecParams);
      if (!curve) throw new TesseraError('MECHANISM_UNSUPPORTED', 'Only P-256 and P-384 keys can sign.');
      if (!entry.mechanisms.includes('CKM_ECDSA'))
        throw new TesseraError('MECHANISM_UNSUPPORTED', `EC key "${key.label}" cannot sign: token "${entry.info.label}" does not list CKM_ECDSA.`, {
          details: { mechanism: 'CKM_ECDSA' },
        });
      const digest = createHash(curve === 'P-256' ? 'sha256' : 'sha384')
        .update(data)
        .digest();
      const signature = await this.run(entry, 'sign', { keyId: key.id, scheme: 'ecdsa', data: digest }, { mechanism: 'CKM_ECDSA' });
      return { algorithm: curve === 'P-256' ? 'ecdsa-p256-sha256' : 'ecdsa-p384-sha384', signature, keyFingerprint };
    }
    if (key.keyType === 'rsa') {
      if (!entry.mechanisms.includes('CKM_SHA256_RSA_PKCS_PSS'))
        throw new TesseraError(
          'MECHANISM_UNSUPPORTED',
          `RSA key "${key.label}" cannot sign: token "${entry.info.label}" does not list CKM_SHA256_RSA_PKCS_PSS.`,
          { details: { mechanism: 'CKM_SHA256_RSA_PKCS_PSS' } },
        );
      const signature = await this.run(entry, 'sign', { keyId: key.id, scheme: 'rsa-pss-sha256', data }, { mechanism: 'CKM_SHA256_RSA_PKCS_PSS' });
      return { algorithm: 'rsa-pss-sha256', signature, keyFingerprint };
    }
    throw new TesseraError('MECHANISM_UNSUPPORTED', 'Only RSA and EC keys can sign.');
  }

  // ---- keychain ----

  async keychainStatus(ref: string): Promise<KeychainStatus> {
    return this.pins.status(ref);
  }

  async keychainForget(ref: string): Promise<KeychainStatus> {
    return this.pins.forget(ref);
  }

  /** Locks every token, finalizes every module and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pins.dropOperationPins();
    for (const entry of this.registry.tokens()) await this.lock(entry, 'shutdown').catch(() => undefined);
    for (const module of this.registry.modules.values()) {
      await module.ready;
      if (!module.worker) continue;
      await module.worker.call('finalize', {}).catch(() => undefined);
      await module.worker.terminate();
    }
  }
}
