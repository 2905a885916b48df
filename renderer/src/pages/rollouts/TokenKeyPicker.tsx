// A signing key on an unlocked token, chosen from two lists (token, then key): how the trust
// cards name the key that registers a principal or signs the genesis record.
import { Group, Select, Text } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from '../../hooks/use-query.ts';

/** A key on an unlocked token, chosen from a list. */
export function TokenKeyPicker({
  value,
  onChange,
}: {
  value: { tokenSerial: string; keyId: string } | null;
  onChange: (v: { tokenSerial: string; keyId: string } | null) => void;
}) {
  const tokens = useQuery('hsm.tokens', {});
  const unlocked = (tokens.data ?? []).flatMap((m) => m.slots.flatMap((s) => (s.token?.state === 'unlocked' ? [s.token] : [])));
  const [serial, setSerial] = useState<string | null>(unlocked[0]?.serial ?? null);
  const keys = useQuery('hsm.keys', { tokenSerial: serial ?? '' }, { enabled: serial !== null });
  const signing = serial ? (keys.data ?? []).filter((k) => k.capabilities.sign) : [];
  if (unlocked.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Unlock a token on Keys &amp; tokens to use one of its keys.
      </Text>
    );
  return (
    <Group grow>
      <Select label="Token" data={unlocked.map((t) => ({ value: t.serial, label: t.label }))} value={serial} onChange={setSerial} allowDeselect={false} />
      <Select
        label="Signing key"
        data={signing.map((k) => ({ value: k.keyId, label: `${k.label} (${k.type}${k.curve ? ` ${k.curve}` : ''})` }))}
        value={value?.keyId ?? null}
        onChange={(keyId) => onChange(keyId && serial ? { tokenSerial: serial, keyId } : null)}
      />
    </Group>
  );
}
