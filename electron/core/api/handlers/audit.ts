// audit.* channels: list, verify, export as JSON Lines, sign a checkpoint.
import type { AuditLog } from '../../audit/index.ts';
import type { VaultService } from '../../vault/index.ts';
import type { Handlers } from '../dispatcher.ts';

export function auditHandlers(s: {
  audit: () => AuditLog;
  vault: () => Pick<VaultService, 'principals' | 'checkpoint'>;
}): Pick<Handlers, 'audit.list' | 'audit.verify' | 'audit.export' | 'audit.checkpoint'> {
  return {
    'audit.list': async ({ afterSeq, limit }) => s.audit().list(afterSeq ?? 0, limit ?? 1000),
    'audit.verify': async () => {
      const vault = s.vault();
      return s.audit().verify((name) => vault.principals.find(name));
    },
    'audit.export': async () => s.audit().exportJsonl(),
    'audit.checkpoint': async ({ principal }) => s.vault().checkpoint(principal),
  };
}
