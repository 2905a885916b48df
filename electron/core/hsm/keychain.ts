// Optional PIN memory in the OS keychain through keytar (service "Tessera", account = token
// serial). keytar is loaded on first use so a missing Secret Service never breaks start-up;
// every keytar failure becomes "unavailable, because …".
import { TesseraError } from '../../../shared/contract/index.ts';

export const KEYCHAIN_SERVICE = 'Tessera';

export interface PinKeychain {
  /** Whether the keychain can be used at all, and why not. */
  status(): Promise<{ available: boolean; reason: string | null }>;
  get(tokenSerial: string): Promise<string | null>;
  set(tokenSerial: string, pin: string): Promise<void>;
  delete(tokenSerial: string): Promise<boolean>;
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

function why(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // keytar's messages come from libsecret/D-Bus and never hold the password; keep them short.
  return text.split('\n')[0]!.slice(0, 200);
}

export function createKeytarKeychain(): PinKeychain {
  let loaded: Promise<Keytar> | null = null;
  const keytar = () => {
    loaded ??= import('keytar').then((m) => (m as { default?: Keytar }).default ?? (m as unknown as Keytar));
    return loaded;
  };
  const unavailable = (error: unknown) =>
    new TesseraError(
      'UNAVAILABLE',
      `The OS keychain is not available (${why(error)}). Unlock the token with its PIN instead, or start a Secret Service (e.g. GNOME Keyring) and retry.`,
    );
  return {
    async status() {
      try {
        const k = await keytar();
        await k.getPassword(KEYCHAIN_SERVICE, '__tessera_probe__');
        return { available: true, reason: null };
      } catch (error) {
        loaded = null;
        return { available: false, reason: why(error) };
      }
    },
    async get(serial) {
      try {
        return await (await keytar()).getPassword(KEYCHAIN_SERVICE, serial);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async set(serial, pin) {
      try {
        await (await keytar()).setPassword(KEYCHAIN_SERVICE, serial, pin);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async delete(serial) {
      try {
        return await (await keytar()).deletePassword(KEYCHAIN_SERVICE, serial);
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}
