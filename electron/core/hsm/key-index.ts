// The keys of one token session, listed once (one C_GetAttributeValue per key in the worker) and
// looked up by CKA_ID or by fingerprint without another round trip to the token. A new index is
// built after login, key generation, recovery, or when the caller asks for a fresh list.
import type { TokenKeyView } from '../../../shared/contract/index.ts';
import { aesFingerprint, curveFromParams, spkiFingerprint, spkiFromRawKey, spkiPem } from './spki.ts';
import type { RawKey } from './worker-protocol.ts';

/** What signing and key lookups need of a key, derived once per listed key (SPKI building costs ~0.1 ms). */
interface KeyFacts {
  spki: Buffer | null;
  fingerprint: string;
}

export class KeyIndex {
  readonly keys: RawKey[];
  private readonly tokenSerial: string;
  private readonly tokenRef: string;
  private readonly byId = new Map<string, RawKey>();
  private byFingerprint: Map<string, RawKey> | null = null;
  private readonly facts = new Map<RawKey, KeyFacts>();

  /** `tokenSerial` is the token's own serial (AES fingerprints use it); `tokenRef` is how channels name the token. */
  constructor(keys: RawKey[], tokenSerial: string, tokenRef: string) {
    this.keys = keys;
    this.tokenSerial = tokenSerial;
    this.tokenRef = tokenRef;
    for (const k of keys) if (!this.byId.has(k.id)) this.byId.set(k.id, k);
  }

  byKeyId(keyId: string): RawKey | undefined {
    return this.byId.get(keyId.toLowerCase());
  }

  factsOf(key: RawKey): KeyFacts {
    let facts = this.facts.get(key);
    if (!facts) {
      if (key.keyClass === 'secret') facts = { spki: null, fingerprint: aesFingerprint(this.tokenSerial, key.id) };
      else {
        const spki = spkiFromRawKey(key);
        facts = { spki, fingerprint: spki ? spkiFingerprint(spki) : '' };
      }
      this.facts.set(key, facts);
    }
    return facts;
  }

  /** The first key with this fingerprint (the fingerprints are computed on the first lookup). */
  byFingerprintOf(fingerprint: string): RawKey | undefined {
    if (!this.byFingerprint) {
      const map = new Map<string, RawKey>();
      for (const k of this.keys) {
        let fp = '';
        try {
          fp = this.factsOf(k).fingerprint;
        } catch {
          // A public part the token returned unreadable: that key has no fingerprint to match.
        }
        if (fp !== '' && !map.has(fp)) map.set(fp, k);
      }
      this.byFingerprint = map;
    }
    return this.byFingerprint.get(fingerprint);
  }

  view(key: RawKey): TokenKeyView {
    const spki = key.keyClass === 'private' ? this.factsOf(key).spki : null;
    const modulusBits = key.modulus ? key.modulus.replace(/^(00)+/u, '').length * 4 : null;
    return {
      tokenSerial: this.tokenRef,
      label: key.label,
      keyId: key.id,
      type: key.keyType,
      size: key.keyType === 'rsa' ? modulusBits : key.valueLength ? key.valueLength * 8 : null,
      curve: key.keyType === 'ec' ? curveFromParams(key.ecParams) : null,
      capabilities: { decrypt: key.decrypt, unwrap: key.unwrap, derive: key.derive, sign: key.sign, wrap: key.wrap, encrypt: key.encrypt },
      sensitive: key.sensitive,
      extractable: key.extractable,
      fingerprint: this.factsOf(key).fingerprint,
      publicKeyPem: spki ? spkiPem(spki) : null,
      alwaysAuthenticate: key.alwaysAuthenticate,
    };
  }

  /** Keys that can unwrap, decrypt, derive or sign. */
  usable(): TokenKeyView[] {
    return this.keys.filter((k) => k.decrypt || k.unwrap || k.derive || k.sign).map((k) => this.view(k));
  }
}
