// PINs the token layer may use beyond one call: remembered PINs in the OS keychain (off by default,
// per token, by policy), and the one-operation approvals for keys with CKA_ALWAYS_AUTHENTICATE
// (a PIN given for the next operation on that token, used once and dropped after a minute).
import { TesseraError, type KeychainStatus } from '../../../shared/contract/index.ts';
import type { PinKeychain } from './keychain.ts';

/** How long a PIN given to approve one operation waits for that operation. */
const OPERATION_PIN_TTL_MS = 60_000;

export class PinMemory {
  private readonly keychain: PinKeychain | undefined;
  private readonly policy: () => 'forbidden' | 'allowed';
  private readonly operationPins = new Map<string, { pin: string; until: number }>();

  constructor(keychain: PinKeychain | undefined, policy: (() => 'forbidden' | 'allowed') | undefined) {
    this.keychain = keychain;
    this.policy = policy ?? (() => 'forbidden');
  }

  get policyNow(): 'forbidden' | 'allowed' {
    return this.policy();
  }

  /** Throws with the reason when a PIN may not be remembered now. */
  async assertCanRemember(): Promise<void> {
    if (this.policy() === 'forbidden') throw new TesseraError('FORBIDDEN', 'Remembering PINs is forbidden by the keychain policy in Settings.');
    if (!this.keychain) throw new TesseraError('UNAVAILABLE', 'This host has no OS keychain support.');
    const status = await this.keychain.status();
    if (!status.available) throw new TesseraError('UNAVAILABLE', `The OS keychain is not available (${status.reason}). Unlock without "remember".`);
  }

  /** The remembered PIN of a token, or null (also when the policy forbids or the keychain is unavailable). */
  async stored(tokenRef: string): Promise<string | null> {
    if (!this.keychain || this.policy() !== 'allowed') return null;
    const status = await this.keychain.status();
    return status.available ? await this.keychain.get(tokenRef) : null;
  }

  async store(tokenRef: string, pin: string): Promise<void> {
    await this.keychain?.set(tokenRef, pin);
  }

  /** A remembered PIN that turned out wrong is deleted at once, so it cannot burn the remaining tries. */
  async dropWrong(tokenRef: string): Promise<void> {
    await this.keychain?.delete(tokenRef).catch(() => false);
  }

  async rememberedOf(tokenRefs: string[]): Promise<Set<string>> {
    const set = new Set<string>();
    if (!this.keychain || this.policy() === 'forbidden') return set;
    const status = await this.keychain.status();
    if (!status.available) return set;
    for (const ref of tokenRefs) {
      try {
        if ((await this.keychain.get(ref)) !== null) set.add(ref);
      } catch {
        // unavailable: nothing remembered
      }
    }
    return set;
  }

  async status(tokenRef: string): Promise<KeychainStatus> {
    const policy = this.policy();
    if (!this.keychain) return { tokenSerial: tokenRef, available: false, reason: 'This host has no OS keychain support.', policy, remembered: false };
    const status = await this.keychain.status();
    let remembered = false;
    if (status.available) remembered = (await this.keychain.get(tokenRef).catch(() => null)) !== null;
    const reason = policy === 'forbidden' ? 'Remembering PINs is forbidden by the keychain policy in Settings.' : status.reason;
    return { tokenSerial: tokenRef, available: status.available, reason, policy, remembered };
  }

  async forget(tokenRef: string): Promise<KeychainStatus> {
    if (this.keychain) {
      const status = await this.keychain.status();
      if (status.available) await this.keychain.delete(tokenRef);
    }
    return this.status(tokenRef);
  }

  /** A PIN that approves the next operation with a CKA_ALWAYS_AUTHENTICATE key on this token. */
  approveOneOperation(tokenRef: string, pin: string): void {
    this.operationPins.set(tokenRef, { pin, until: Date.now() + OPERATION_PIN_TTL_MS });
  }

  /** Takes (and so drops) the approval for one operation, if one is waiting and fresh. */
  takeOperationPin(tokenRef: string): string | undefined {
    const held = this.operationPins.get(tokenRef);
    this.operationPins.delete(tokenRef);
    return held && held.until > Date.now() ? held.pin : undefined;
  }

  dropOperationPins(tokenRef?: string): void {
    if (tokenRef === undefined) this.operationPins.clear();
    else this.operationPins.delete(tokenRef);
  }
}
