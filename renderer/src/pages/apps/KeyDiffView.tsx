// The key-name diff of a new version against the current one, as three labelled lists.
import { Group, Stack, Text } from '@mantine/core';
import type { KeyDiff } from './key-diff.ts';
import { KeyName } from '../../components/KeyName.tsx';

export interface KeyDiffViewProps {
  /** The diff to show. */
  diff: KeyDiff;
  /** Whether a current version exists (otherwise every key is simply new). */
  hasCurrent: boolean;
}

function Keys({ names, color, none }: { names: string[]; color: string; none: string }) {
  if (names.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {none}
      </Text>
    );
  return (
    <Group gap={4}>
      {names.map((n) => (
        <KeyName key={n} name={n} color={color} size="md" />
      ))}
    </Group>
  );
}

export function KeyDiffView({ diff, hasCurrent }: KeyDiffViewProps) {
  return (
    <Stack gap="xs" data-testid="key-diff" aria-label="Changes by key name">
      {!hasCurrent && <Text size="sm">This is the first version: every key is new.</Text>}
      <div>
        <Text size="sm" fw={600}>
          Added ({diff.added.length})
        </Text>
        <Keys names={diff.added} color="green" none="No key added." />
      </div>
      {hasCurrent && (
        <>
          <div>
            <Text size="sm" fw={600}>
              Removed ({diff.removed.length})
            </Text>
            <Keys names={diff.removed} color="red" none="No key removed." />
          </div>
          <div>
            <Text size="sm" fw={600}>
              Kept — value may have changed ({diff.kept.length})
            </Text>
            <Text size="xs" c="dimmed">
              Values are never fetched to compare, so whether these changed is unknown.
            </Text>
            <Keys names={diff.kept} color="gray" none="No key kept." />
          </div>
        </>
      )}
    </Stack>
  );
}
