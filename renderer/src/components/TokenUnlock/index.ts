// Token login, reusable: a dialog for one token, and an in-place prompt where an action needs one.
export { UnlockDialog, type UnlockDialogProps } from './UnlockDialog.tsx';
export { UnlockForm, type UnlockFormProps } from './UnlockForm.tsx';
export { TokenLoginPrompt, type TokenLoginPromptProps } from './TokenLoginPrompt.tsx';
