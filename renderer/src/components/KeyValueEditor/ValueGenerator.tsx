// A popover that fills one value with random characters: length and charset of the user's choice.
import { ActionIcon, Button, NumberInput, Popover, Select, Stack, Tooltip } from '@mantine/core';
import { IconDice5 } from '@tabler/icons-react';
import { useState } from 'react';
import { CHARSETS, randomValue, type CharsetName } from './generate.ts';

export interface ValueGeneratorProps {
  /** Names the value in labels ("value 2"). */
  target: string;
  /** Receives the generated value. */
  onGenerate: (value: string) => void;
}

export function ValueGenerator({ target, onGenerate }: ValueGeneratorProps) {
  const [opened, setOpened] = useState(false);
  const [length, setLength] = useState<number>(32);
  const [charset, setCharset] = useState<CharsetName>('alphanumeric');
  const valid = Number.isInteger(length) && length >= 8 && length <= 4096;
  return (
    <Popover opened={opened} onChange={setOpened} trapFocus position="bottom-end" withArrow shadow="md">
      <Popover.Target>
        <Tooltip label="Generate a random value">
          <ActionIcon variant="default" size="lg" aria-label={`Generate a random ${target}`} onClick={() => setOpened((o) => !o)}>
            <IconDice5 size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={260}>
          <NumberInput
            label="Length"
            min={8}
            max={4096}
            value={length}
            onChange={(v) => setLength(Number(v))}
            error={valid ? undefined : 'Length must be 8 to 4096 characters'}
          />
          <Select
            label="Characters"
            data={Object.entries(CHARSETS).map(([value, c]) => ({ value, label: c.label }))}
            value={charset}
            onChange={(v) => v && setCharset(v as CharsetName)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
          />
          <Button
            disabled={!valid}
            onClick={() => {
              onGenerate(randomValue(length, charset));
              setOpened(false);
            }}
          >
            Generate
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
