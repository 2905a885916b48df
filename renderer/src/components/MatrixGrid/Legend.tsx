// The legend under the matrix: every state's tile with its words and how many tiles have it.
import { Group, Text, UnstyledButton } from '@mantine/core';
import { CELL_STATES, type CellState } from '../../../../shared/domain/cell-state.ts';
import { CELL_LOOK } from './cell-style.ts';
import classes from './MatrixGrid.module.css';

export interface LegendProps {
  counts: Partial<Record<CellState, number>>;
  /** Clicking a state filters the matrix to it. */
  onPick?: (state: CellState) => void;
}

export function Legend({ counts, onPick }: LegendProps) {
  return (
    <Group gap="md" wrap="wrap" aria-label="Legend and counts per state" role="list">
      {CELL_STATES.map((state) => {
        const look = CELL_LOOK[state];
        const count = counts[state] ?? 0;
        return (
          <UnstyledButton key={state} role="listitem" onClick={() => onPick?.(state)} aria-label={`${look.label}: ${count}`} data-testid={`legend-${state}`}>
            <Group gap={6} wrap="nowrap">
              <span className={`${classes.legendSwatch} ${classes[look.tone]}`} aria-hidden>
                {look.glyph}
              </span>
              <Text size="sm">{look.label}</Text>
              <Text size="sm" c="dimmed">
                {count.toLocaleString()}
              </Text>
            </Group>
          </UnstyledButton>
        );
      })}
    </Group>
  );
}
