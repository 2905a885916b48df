// Settings: where data lives, which kubeconfig files and PKCS#11 modules to use, limits for
// cluster calls, auto-lock and the keychain policy, and the theme.
import {
  Alert,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
  useMantineColorScheme,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import type { Settings } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';

export function SettingsPage() {
  const info = useQuery('app.info', {});
  const { data, error } = useQuery('settings.get', {});
  const save = useAction('settings.set', { notifyErrors: false });
  const { setColorScheme } = useMantineColorScheme();
  const [draft, setDraft] = useState<Settings>();
  const [code, setCode] = useState('');
  useEffect(() => setDraft(data), [data]);
  if (error) return <ErrorAlert error={error} />;
  if (!draft) return null;
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setDraft({ ...draft, [key]: value });
  const fieldError = (field: string) =>
    save.error?.field === `patch.${field}` || save.error?.field?.startsWith(`patch.${field}.`) ? save.error.message : undefined;

  // Module paths and kubeconfig files need a confirmation the page cannot give itself: in the
  // desktop app a native dialog; in a browser the one-time code printed by `tessera serve`.
  const needsCode = save.error?.field === 'confirmation' && save.error.details?.confirmation === 'code';
  const onSave = async (confirmation?: string) => {
    const saved = await save.run(confirmation === undefined ? { patch: draft } : { patch: draft, confirmation });
    setCode('');
    if (saved) {
      setColorScheme(saved.theme);
      notifications.show({ color: 'green', title: 'Saved', message: 'Settings saved.' });
    }
  };

  return (
    <Stack maw={760}>
      <PageHeader title="Settings" description="These settings are kept in the data dir of this workstation." />
      {save.error && !save.error.field && <ErrorAlert error={save.error} />}
      {save.error?.field === 'confirmation' && (
        <Alert color="yellow" title="Confirmation needed">
          <Stack gap="xs">
            <Text size="sm">{save.error.message}</Text>
            {needsCode && (
              <Group align="end">
                <TextInput label="One-time code" value={code} onChange={(e) => setCode(e.currentTarget.value)} autoComplete="off" w={160} />
                <Button onClick={() => void onSave(code)} disabled={code.trim() === ''} loading={save.running}>
                  Confirm and save
                </Button>
              </Group>
            )}
          </Stack>
        </Alert>
      )}
      <Card withBorder>
        <Stack>
          <Text size="sm">
            Data dir: <Code>{info.data?.dataDir ?? '…'}</Code>
          </Text>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="theme-label">
              Theme
            </Text>
            <SegmentedControl
              aria-labelledby="theme-label"
              value={draft.theme}
              onChange={(v) => set('theme', v as Settings['theme'])}
              data={[
                { value: 'auto', label: 'Follow the OS' },
                { value: 'light', label: 'Light' },
                { value: 'dark', label: 'Dark' },
              ]}
            />
          </Stack>
          <TagsInput
            label="Extra kubeconfig files"
            description="Merged after KUBECONFIG (or ~/.kube/config). Press Enter after each path."
            value={draft.kubeconfigFiles}
            onChange={(v) => set('kubeconfigFiles', v)}
            error={fieldError('kubeconfigFiles')}
          />
          <TagsInput
            label="PKCS#11 modules"
            description="Module files to load besides the well-known ones (SoftHSM2, OpenSC, YubiHSM, p11-kit)."
            value={draft.pkcs11Modules}
            onChange={(v) => set('pkcs11Modules', v)}
            error={fieldError('pkcs11Modules')}
          />
          <Group grow>
            <NumberInput
              label="Concurrent cluster calls"
              min={1}
              max={512}
              value={draft.concurrency}
              onChange={(v) => set('concurrency', Number(v))}
              error={fieldError('concurrency')}
            />
            <NumberInput
              label="Request timeout (seconds)"
              min={1}
              max={600}
              value={draft.requestTimeoutSeconds}
              onChange={(v) => set('requestTimeoutSeconds', Number(v))}
              error={fieldError('requestTimeoutSeconds')}
            />
            <NumberInput
              label="Auto-lock tokens after (minutes)"
              min={1}
              max={1440}
              value={draft.autoLockMinutes}
              onChange={(v) => set('autoLockMinutes', Number(v))}
              error={fieldError('autoLockMinutes')}
            />
          </Group>
          <Select
            label="Remembering PINs in the OS keychain"
            description="Remembering a PIN trades the token's second factor for convenience. Forbid it where policy requires."
            value={draft.keychainPolicy}
            onChange={(v) => v && set('keychainPolicy', v as Settings['keychainPolicy'])}
            data={[
              { value: 'allowed', label: 'Allowed per token (off unless a security officer turns it on)' },
              { value: 'forbidden', label: 'Forbidden' },
            ]}
            allowDeselect={false}
          />
          <Group>
            <Button onClick={() => void onSave()} loading={save.running}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
