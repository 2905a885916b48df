import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ContractError } from '../../../shared/contract/index.ts';

/** Shows the backend's sentence for a failed call; never a stack trace. */
export function ErrorAlert({ error, title = 'Something went wrong' }: { error: ContractError; title?: string }) {
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={title} role="alert">
      {error.message}
    </Alert>
  );
}
