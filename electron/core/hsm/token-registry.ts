// Modules, slots and tokens, and which token is which. A token is identified by its module, its
// slot and its token info (serial, label, model, manufacturer), never by its serial alone: some
// modules (tpm2-pkcs11) give every token the same serial, and an uninitialised slot never hides an
// initialised token. Also: presence, and recovery of a module that lost its device or connection
// (finalise and re-initialise it in its worker, then re-discover its slots).
import { TesseraError, type TokenInfoView, type TokenMechanism, type TokenStateEvent } from '../../../shared/contract/index.ts';
import type { Logger } from '../log/logger.ts';
import type { KeyIndex } from './key-index.ts';
import { ModuleWorker } from './module-worker.ts';
import { keyTypeCapabilities } from './token-capabilities.ts';
import type { RawModuleInfo, RawSlot, RawTokenInfo } from './worker-protocol.ts';

export interface ModuleState {
  path: string;
  worker: ModuleWorker | null;
  info: RawModuleInfo | null;
  problem: string | null;
  ready: Promise<void>;
  slots: RawSlot[];
  /** The module lost its device or connection and could not be re-initialised yet. */
  lost: boolean;
  /**
   * Tokens went missing when the module was last re-initialised (p11-kit's client, initialised while
   * its server is down, lists no slots and never reconnects by itself): re-initialise it again on
   * the next listing, as long as none of its tokens has a live session.
   */
  retry: boolean;
  recovering: Promise<boolean> | null;
}

export interface TokenEntry {
  module: ModuleState;
  slotId: string;
  info: RawTokenInfo;
  /** How every channel names this token (see TokenInfoView.serial). */
  ref: string;
  /** CKM_ names the token lists, with aliases. */
  mechanisms: string[];
  mechanismViews: TokenMechanism[];
  keyTypes: TokenInfoView['keyTypes'];
  session: string | null;
  absent: boolean;
  lastUsed: number;
  /** Who unlocked the token (the acting user at login). */
  unlockedBy: string | null;
  inFlight: number;
  cancels: Set<(error: TesseraError) => void>;
  /** The key index of the current session (null until listed; dropped at login, lock, generate and recovery). */
  keys: KeyIndex | null;
  oaep: Map<string, 'sha256' | 'sha1'>;
  /** An operation on a CKA_ALWAYS_AUTHENTICATE key is waiting for the PIN. */
  operationPinNeeded: boolean;
}

/**
 * Device and connection failures after which a module is finalised and initialised again
 * (p11-kit's client answers CKR_DEVICE_ERROR to everything once its server is gone, and stays so
 * until re-initialised). CKR_SESSION_HANDLE_INVALID also counts when the module itself no longer
 * answers; a module that still answers has only lost that one session.
 */
export const RECOVER_CKR = new Set(['CKR_DEVICE_ERROR', 'CKR_DEVICE_REMOVED', 'CKR_SESSION_HANDLE_INVALID', 'CKR_CRYPTOKI_NOT_INITIALIZED']);

/** Whether an error may mean the module's connection or device is gone (so it may need recovery). */
export function needsRecovery(error: unknown): boolean {
  if (!(error instanceof TesseraError)) return false;
  const ckr = error.details?.ckr;
  if (typeof ckr === 'string') return RECOVER_CKR.has(ckr);
  // No CKR at all: the module call itself failed (the worker died, or the library crashed out).
  return error.code === 'DEVICE_ERROR';
}

/** A serial number that tells tokens apart: not blank and not all zeros. */
const meaningfulSerial = (serial: string) => serial !== '' && !/^0+$/u.test(serial);
const sameToken = (a: RawTokenInfo, b: RawTokenInfo) =>
  a.serial === b.serial && a.label === b.label && a.model === b.model && a.manufacturer === b.manufacturer;

export interface RegistryOptions {
  log: Logger;
  emit: (entry: TokenEntry, reason: TokenStateEvent['reason']) => void;
}

export class TokenRegistry {
  readonly modules = new Map<string, ModuleState>();
  /** By module path and slot id. */
  private readonly entries = new Map<string, TokenEntry>();
  private readonly log: Logger;
  private readonly emit: RegistryOptions['emit'];

  constructor(options: RegistryOptions) {
    this.log = options.log;
    this.emit = options.emit;
  }

  tokens(): TokenEntry[] {
    return [...this.entries.values()];
  }

  loadModule(path: string): ModuleState {
    const existing = this.modules.get(path);
    if (existing) return existing;
    const state: ModuleState = {
      path,
      worker: null,
      info: null,
      problem: null,
      ready: Promise.resolve(),
      slots: [],
      lost: false,
      retry: false,
      recovering: null,
    };
    state.ready = this.startWorker(state).then(() => undefined);
    this.modules.set(path, state);
    return state;
  }

  private async startWorker(state: ModuleState): Promise<boolean> {
    const worker = new ModuleWorker(state.path);
    try {
      state.info = await worker.call('init', { path: state.path });
      state.worker = worker;
      state.problem = null;
      this.log.info('PKCS#11 module loaded', { path: state.path, manufacturer: state.info.manufacturer, version: state.info.libraryVersion });
      return true;
    } catch (error) {
      state.problem = error instanceof TesseraError ? error.message : 'The module could not be initialised.';
      this.log.warn('PKCS#11 module unusable', { path: state.path, code: error instanceof TesseraError ? error.code : 'INTERNAL' });
      await worker.terminate();
      return false;
    }
  }

  /** Re-reads every module's slots and tokens (re-initialising modules that lost their connection). */
  async refresh(): Promise<void> {
    for (const module of this.modules.values()) {
      const live = this.tokens().some((e) => e.module === module && e.session !== null);
      if (module.lost || (module.retry && !live)) await this.recover(module, 'retry');
      if (!module.worker || module.lost) continue;
      let slots: RawSlot[];
      try {
        slots = await module.worker.call('slots', {});
      } catch (error) {
        if (needsRecovery(error) && (await this.recover(module, String((error as TesseraError).details?.ckr ?? 'listing slots failed')))) continue;
        module.problem = error instanceof TesseraError ? error.message : 'Listing slots failed.';
        continue;
      }
      this.applySlots(module, slots);
    }
  }

  private applySlots(module: ModuleState, slots: RawSlot[]) {
    module.slots = slots;
    module.problem = null;
    const seen = new Set<TokenEntry>();
    for (const slot of slots) {
      // An uninitialised token (tpm2-pkcs11 adds one empty slot) is shown, but is no token to use.
      if (!slot.token || !slot.token.flags.tokenInitialized) continue;
      const key = `${module.path}\u0000${slot.slotId}`;
      let entry = this.entries.get(key);
      if (entry && !sameToken(entry.info, slot.token)) {
        // Another token in the same slot: the old one is gone.
        this.markRemoved(entry);
        this.entries.delete(key);
        entry = undefined;
      }
      if (!entry) {
        // The same token in another slot of this module (slot ids can change after re-initialisation).
        const moved = [...this.entries.entries()].find(
          ([k, e]) => e.module === module && sameToken(e.info, slot.token!) && !slots.some((s) => `${module.path}\u0000${s.slotId}` === k),
        );
        if (moved) {
          this.entries.delete(moved[0]);
          entry = moved[1];
          entry.slotId = slot.slotId;
          this.entries.set(key, entry);
        }
      }
      if (entry) {
        entry.info = slot.token;
        if (entry.absent && entry.session === null) {
          entry.absent = false;
          this.setMechanisms(entry, slot);
        }
        seen.add(entry);
        continue;
      }
      const created: TokenEntry = {
        module,
        slotId: slot.slotId,
        info: slot.token,
        ref: this.newRef(slot.token, module, slot.slotId),
        mechanisms: [],
        mechanismViews: [],
        keyTypes: [],
        session: null,
        absent: false,
        lastUsed: 0,
        unlockedBy: null,
        inFlight: 0,
        cancels: new Set(),
        keys: null,
        oaep: new Map(),
        operationPinNeeded: false,
      };
      this.setMechanisms(created, slot);
      this.entries.set(key, created);
      seen.add(created);
    }
    for (const entry of this.entries.values()) if (entry.module === module && !seen.has(entry)) this.markRemoved(entry);
  }

  private setMechanisms(entry: TokenEntry, slot: RawSlot) {
    entry.mechanisms = slot.mechanisms.flatMap((m) => [m.name, ...m.aliases]);
    entry.mechanismViews = slot.mechanisms.map(({ name, minKeySize, maxKeySize, flags }) => ({ name, minKeySize, maxKeySize, flags }));
    entry.keyTypes = keyTypeCapabilities(entry.mechanismViews, new Map(slot.mechanisms.map((m) => [m.name, m.aliases])));
  }

  /** The serial where it tells tokens apart, else serial/label, else with module and slot: assigned once, so a name never moves to another token. */
  private newRef(info: RawTokenInfo, module: ModuleState, slotId: string): string {
    const taken = new Set([...this.entries.values()].map((e) => e.ref));
    const candidates = [
      ...(meaningfulSerial(info.serial) ? [info.serial] : []),
      `${info.serial}/${info.label}`,
      `${info.serial}/${info.label}@${module.path.split('/').pop()}#${slotId}`,
    ];
    return candidates.find((c) => !taken.has(c)) ?? `${candidates[2]}~${taken.size}`;
  }

  /** The token named by its reference, or else by serial or label when exactly one token has it. */
  find(name: string): TokenEntry | null {
    const all = this.tokens();
    const byRef = all.find((e) => e.ref === name);
    if (byRef) return byRef;
    for (const pick of [(e: TokenEntry) => e.info.serial === name, (e: TokenEntry) => e.info.label === name]) {
      const hits = all.filter(pick);
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) {
        const present = hits.filter((e) => !e.absent);
        if (present.length === 1) return present[0]!;
        throw new TesseraError(
          'INVALID_INPUT',
          `"${name}" names ${hits.length} tokens (${hits.map((e) => e.ref).join(', ')}). Name one of them exactly as listed.`,
          { field: 'token' },
        );
      }
    }
    return null;
  }

  /** Whether the module still answers (a slot listing); false when it needs recovery. */
  async answers(module: ModuleState): Promise<boolean> {
    if (!module.worker?.alive || module.lost) return false;
    try {
      await module.worker.call('slots', {});
      return true;
    } catch (error) {
      return !needsRecovery(error);
    }
  }

  markRemoved(entry: TokenEntry, reason: 'removed' | 'reset' = 'removed') {
    if (entry.absent && reason === 'removed') return;
    const hadSession = entry.session !== null;
    const session = entry.session;
    entry.absent = reason === 'removed' ? true : entry.absent;
    entry.session = null;
    entry.keys = null;
    entry.operationPinNeeded = false;
    const error =
      reason === 'removed'
        ? new TesseraError('TOKEN_ABSENT', `Token "${entry.info.label}" was removed. Insert it and unlock it again.`)
        : new TesseraError(
            'TOKEN_LOCKED',
            `The connection to token "${entry.info.label}" was lost and its module was re-initialised. Log in to the token again and retry.`,
          );
    for (const cancel of entry.cancels) cancel(error);
    entry.cancels.clear();
    if (session && reason === 'removed') entry.module.worker?.call('closeSession', { session }).catch(() => undefined);
    this.log.warn(reason === 'removed' ? 'token removed' : 'token session reset', { token: entry.ref, hadSession });
    if (reason === 'removed' || hadSession) this.emit(entry, reason);
  }

  /**
   * Finalises and re-initialises a module in its worker (a new worker if the old one died), then
   * re-reads its slots. Every session of the module is void afterwards: its tokens are locked and
   * say so ('reset'). Returns whether the module works again. One recovery at a time per module.
   */
  recover(module: ModuleState, why: string): Promise<boolean> {
    module.recovering ??= (async () => {
      for (const entry of this.entries.values()) if (entry.module === module && entry.session) this.markRemoved(entry, 'reset');
      let ok: boolean;
      try {
        if (module.worker?.alive) {
          module.info = await module.worker.call('reinit', {});
          ok = true;
        } else {
          await module.worker?.terminate();
          module.worker = null;
          ok = await this.startWorker(module);
        }
        if (ok) {
          const known = this.tokens().filter((e) => e.module === module && !e.absent);
          this.applySlots(module, await module.worker!.call('slots', {}));
          module.retry = (module.retry || known.some((e) => e.absent)) && this.tokens().some((e) => e.module === module && e.absent);
        }
      } catch {
        ok = false;
      }
      module.lost = !ok;
      if (ok) this.log.info('PKCS#11 module re-initialised', { path: module.path, why });
      else {
        module.problem = `The module lost its token or connection (${why}) and could not be re-initialised yet. Tessera retries each time tokens are listed; reconnect the token or HSM.`;
        for (const entry of this.entries.values()) if (entry.module === module) this.markRemoved(entry);
        this.log.warn('PKCS#11 module could not be re-initialised', { path: module.path, why });
      }
      return ok;
    })().finally(() => {
      module.recovering = null;
    });
    return module.recovering;
  }
}
