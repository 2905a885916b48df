// The command palette (Ctrl/Cmd + K): go to any page, scan the fleet, switch the theme.
import { useComputedColorScheme } from '@mantine/core';
import { Spotlight, type SpotlightActionData } from '@mantine/spotlight';
import { IconMoon, IconRadar, IconSearch } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useAction } from '../hooks/use-action.ts';
import { navigate, ROUTES, type RoutePath } from './routes.ts';

export interface CommandPaletteProps {
  /** The icon of each page, as the navigation shows it. */
  icons: Record<RoutePath, ReactNode>;
  onThemeChange: (theme: 'light' | 'dark') => void;
}

export function CommandPalette({ icons, onThemeChange }: CommandPaletteProps) {
  const scan = useAction('kube.scan');
  const computed = useComputedColorScheme('light');
  const actions: SpotlightActionData[] = [
    ...ROUTES.map((r) => ({ id: `page-${r.path}`, label: `Go to ${r.label}`, group: 'Pages', leftSection: icons[r.path], onClick: () => navigate(r.path) })),
    {
      id: 'scan',
      label: 'Scan every cluster now',
      description: 'Reads what is live on each cluster (metadata only) and refreshes the matrix',
      group: 'Actions',
      leftSection: <IconRadar size={18} aria-hidden />,
      onClick: () => {
        navigate('matrix');
        void scan.run({});
      },
    },
    {
      id: 'theme',
      label: `Switch to ${computed === 'dark' ? 'light' : 'dark'} theme`,
      group: 'Actions',
      leftSection: <IconMoon size={18} aria-hidden />,
      onClick: () => onThemeChange(computed === 'dark' ? 'light' : 'dark'),
    },
  ];
  return (
    <Spotlight
      actions={actions}
      nothingFound="No page or action matches."
      highlightQuery
      shortcut={['mod + K', '/']}
      searchProps={{ leftSection: <IconSearch size={18} aria-hidden />, placeholder: 'Go to a page or run an action…', 'aria-label': 'Command palette' }}
    />
  );
}
