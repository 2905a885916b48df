// Channels about PKCS#11 modules, tokens and keys.
import { z } from 'zod';
import { channel } from '../channel.ts';

export interface Pkcs11ModuleFile {
  path: string;
  /** Which product the well-known path belongs to, or 'configured'. */
  kind: 'softhsm2' | 'opensc' | 'yubihsm' | 'p11-kit' | 'configured';
  found: boolean;
  /** Why a configured module is unusable (missing file, not a file). */
  problem: string | null;
}

export const hsmChannels = {
  'hsm.modules': channel<Pkcs11ModuleFile[]>()(
    z.object({}).strict(),
    'PKCS#11 module files found at configured and well-known paths',
  ),
};
