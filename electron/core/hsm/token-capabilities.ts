// What a token can do with each key type, read from its mechanism list and mechanism info
// (C_GetMechanismList / C_GetMechanismInfo), never assumed: whether it can create the key, and
// whether such a key could then be a vault recipient, sign, or both. Pure: no token needed.
import type { KeyType, KeyTypeCapability, TokenMechanism } from '../../../shared/contract/index.ts';
import { KEY_TYPES } from '../../../shared/contract/index.ts';

interface Need {
  /** The mechanisms, any one of which will do (aliases included). */
  names: string[];
  /** A CKF_ flag the mechanism must carry (when the token reports flags at all). */
  flag?: string;
}

const GENERATE: Record<'rsa' | 'ec' | 'aes', Need> = {
  rsa: { names: ['CKM_RSA_PKCS_KEY_PAIR_GEN'] },
  ec: { names: ['CKM_EC_KEY_PAIR_GEN', 'CKM_ECDSA_KEY_PAIR_GEN'] },
  aes: { names: ['CKM_AES_KEY_GEN'] },
};

function kindOf(type: KeyType): { kind: 'rsa' | 'ec' | 'aes'; size: number } {
  if (type.startsWith('rsa-')) return { kind: 'rsa', size: Number(type.slice(4)) };
  if (type === 'ec-p256') return { kind: 'ec', size: 256 };
  if (type === 'ec-p384') return { kind: 'ec', size: 384 };
  // AES sizes are in bytes in CK_MECHANISM_INFO.
  return { kind: 'aes', size: 32 };
}

/** Looks up a mechanism by any of its names. */
function find(mechanisms: TokenMechanism[], names: string[], aliases: Map<string, TokenMechanism>): TokenMechanism | undefined {
  for (const n of names) {
    const m = aliases.get(n) ?? mechanisms.find((x) => x.name === n);
    if (m) return m;
  }
  return undefined;
}

/** Whether the mechanism allows this key size (0 as maximum means the token does not say). */
function sizeFits(m: TokenMechanism, size: number): boolean {
  if (m.minKeySize > 0 && size < m.minKeySize) return false;
  if (m.maxKeySize > 0 && size > m.maxKeySize) return false;
  return true;
}

const flagFits = (m: TokenMechanism, flag: string | undefined) => !flag || m.flags.length === 0 || m.flags.includes(flag);

/**
 * One row per key type. `mechanisms` are the token's mechanisms; `aliasNames` maps each mechanism
 * name to the other CKM_ names of the same value (e.g. CKM_EC_KEY_PAIR_GEN / CKM_ECDSA_KEY_PAIR_GEN).
 */
export function keyTypeCapabilities(mechanisms: TokenMechanism[], aliasNames: Map<string, string[]> = new Map()): KeyTypeCapability[] {
  const aliases = new Map<string, TokenMechanism>();
  for (const m of mechanisms) {
    aliases.set(m.name, m);
    for (const a of aliasNames.get(m.name) ?? []) if (!aliases.has(a)) aliases.set(a, m);
  }
  const has = (names: string[], flag?: string, size?: number) => {
    const m = find(mechanisms, names, aliases);
    return !!m && flagFits(m, flag) && (size === undefined || sizeFits(m, size));
  };
  return KEY_TYPES.map((type): KeyTypeCapability => {
    const { kind, size } = kindOf(type);
    const gen = find(mechanisms, GENERATE[kind].names, aliases);
    let recipient: boolean;
    let sign = false;
    let recipientMissing: string;
    let signMissing: string;
    if (kind === 'rsa') {
      recipient = has(['CKM_RSA_PKCS_OAEP'], 'decrypt', size);
      recipientMissing = 'CKM_RSA_PKCS_OAEP';
      sign = has(['CKM_SHA256_RSA_PKCS_PSS'], 'sign', size);
      signMissing = 'CKM_SHA256_RSA_PKCS_PSS';
    } else if (kind === 'ec') {
      recipient = has(['CKM_ECDH1_DERIVE'], 'derive');
      recipientMissing = 'CKM_ECDH1_DERIVE';
      sign = has(['CKM_ECDSA'], 'sign');
      signMissing = 'CKM_ECDSA';
    } else {
      recipient = has(['CKM_AES_KEY_WRAP_PAD'], 'unwrap') || has(['CKM_AES_GCM'], 'decrypt');
      recipientMissing = 'CKM_AES_KEY_WRAP_PAD or CKM_AES_GCM';
      signMissing = 'AES keys never sign';
    }
    let canCreate = false;
    let reason: string;
    if (!gen) reason = `${type}: this token cannot create it: it does not list ${GENERATE[kind].names[0]}.`;
    else if (!flagFits(gen, kind === 'aes' ? 'generate' : 'generateKeyPair'))
      reason = `${type}: this token cannot create it: its ${gen.name} is not marked for key generation.`;
    else if (!sizeFits(gen, size)) {
      const unit = kind === 'aes' ? 'bytes' : 'bits';
      reason = `${type}: this token cannot create it: its ${gen.name} makes keys of ${gen.minKeySize} to ${gen.maxKeySize} ${unit}.`;
    } else if (!recipient && !sign)
      reason = `${type}: a key of this type would be useless here: it could not be a vault recipient (the token does not list ${recipientMissing}) and could not sign (${kind === 'aes' ? signMissing : `no ${signMissing}`}).`;
    else {
      canCreate = true;
      if (recipient && sign) reason = `${type}: can be a vault recipient and sign.`;
      else if (recipient) reason = `${type}: can be a vault recipient; it cannot sign (${kind === 'aes' ? signMissing : `no ${signMissing}`}).`;
      else
        reason = `${type}: can sign only (approvals, audit checkpoints); it cannot be a vault recipient because the token does not list ${recipientMissing}.`;
    }
    return { type, canCreate, recipient: canCreate && recipient, sign: canCreate && sign, reason };
  });
}
