// The outcome of "Verify chain": intact, or the first entry that breaks it and why.
import { Alert } from '@mantine/core';
import { IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import type { AuditVerification } from '../../../../shared/contract/index.ts';

export interface VerifyResultProps {
  /** What audit.verify returned. */
  result: AuditVerification;
}

export function VerifyResult({ result }: VerifyResultProps) {
  const counts = `${result.entries} entries, ${result.checkpoints} signed checkpoint(s), ${result.signaturesVerified} signature(s) verified.`;
  if (result.ok) {
    return (
      <Alert color="green" icon={<IconShieldCheck aria-hidden />} title="Chain verified: intact" role="status" data-testid="verify-result">
        Every entry links to the one before it and every checkpoint signature is valid: {counts}
        {result.checkpoints === 0 && " No signed checkpoint yet: entries are chained, but none is signed by a principal's token key."}
      </Alert>
    );
  }
  return (
    <Alert color="red" icon={<IconShieldX aria-hidden />} title="Chain verification failed" role="alert" data-testid="verify-result">
      {result.firstBroken ? (
        <>
          The chain breaks at entry #{result.firstBroken.seq}: {result.firstBroken.reason}. Entries from there on cannot be trusted.{' '}
        </>
      ) : (
        'The chain does not verify. '
      )}
      Checked: {counts}
    </Alert>
  );
}
