// Signing as a principal: find the token (among those unlocked) that holds the key with the
// principal's fingerprint, and sign there. The private key never leaves the token.
import { TesseraError } from '../../../shared/contract/index.ts';
import type { TokenSignature } from '../hsm/index.ts';
import type { TokenAccess } from '../vault/index.ts';

export interface Signer {
  /** Signs with the key whose SPKI fingerprint is given; TOKEN_LOCKED naming `who` when no unlocked token holds it. */
  sign(keyFingerprint: string, who: string, message: Buffer): Promise<TokenSignature>;
}

export function tokenSigner(tokens: () => TokenAccess): Signer {
  return {
    async sign(keyFingerprint, who, message) {
      for (const session of await tokens().unlockedSessions()) {
        if (!session.isUnlocked()) continue;
        let keyId: string;
        try {
          keyId = await session.keyIdFor(keyFingerprint);
        } catch (error) {
          if (error instanceof TesseraError && error.code === 'NOT_FOUND') continue;
          throw error;
        }
        const signature = await tokens().sign(session.tokenSerial, keyId, message);
        if (signature.keyFingerprint !== keyFingerprint) continue;
        return signature;
      }
      throw new TesseraError('TOKEN_LOCKED', `No unlocked token holds ${who}'s signing key (${keyFingerprint.slice(0, 16)}…). Unlock that token and retry.`, {
        details: { principal: who },
      });
    },
  };
}
