import { Center, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export interface EmptyStateProps {
  /** An icon that says what kind of thing is missing. */
  icon: ReactNode;
  title: string;
  /** What the user can do next, or what is coming and when. */
  children: ReactNode;
}

/** A page or section with nothing to show yet, saying why and what comes next. */
export function EmptyState({ icon, title, children }: EmptyStateProps) {
  return (
    <Center py="xl">
      <Stack align="center" gap="sm" maw={560} ta="center">
        <ThemeIcon size={56} radius="xl" variant="light" aria-hidden>
          {icon}
        </ThemeIcon>
        <Title order={3}>{title}</Title>
        <Text c="dimmed">{children}</Text>
      </Stack>
    </Center>
  );
}
