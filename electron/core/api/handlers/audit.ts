// audit.* channels: list, verify, export as JSON Lines, sign a checkpoint.
import type { Services } from '../../services.ts';
import type { Handlers } from '../dispatcher.ts';

export function auditHandlers(s: Services): Pick<Handlers, 'audit.list' | 'audit.verify' | 'audit.export' | 'audit.checkpoint'> {
  return {
    'audit.list': async ({ afterSeq, limit }) => s.vault().audit.list(afterSeq ?? 0, limit ?? 1000),
    'audit.verify': async () => {
      const vault = s.vault();
      return vault.audit.verify((name) => vault.principals.find(name));
    },
    'audit.export': async () => s.vault().audit.exportJsonl(),
    'audit.checkpoint': async ({ principal }) => s.vault().checkpoint(principal),
  };
}
