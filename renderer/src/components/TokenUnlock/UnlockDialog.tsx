// A modal that asks for one token's PIN (or its PIN pad) and unlocks it.
import { Modal } from '@mantine/core';
import type { TokenInfoView } from '../../../../shared/contract/index.ts';
import { UnlockForm } from './UnlockForm.tsx';

export interface UnlockDialogProps {
  /** The token to unlock. */
  token: TokenInfoView;
  /** Called when the dialog closes, unlocked or cancelled. */
  onClose: () => void;
}

export function UnlockDialog({ token, onClose }: UnlockDialogProps) {
  return (
    <Modal opened onClose={onClose} title={`Unlock token "${token.label}"`}>
      <UnlockForm token={token} onUnlocked={onClose} onCancel={onClose} autoFocus />
    </Modal>
  );
}
