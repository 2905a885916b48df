// The desk: header (backend and token status, theme), navigation, and the current page.
import { ActionIcon, AppShell, Loader, Badge, Burger, Group, NavLink, Text, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { spotlight } from '@mantine/spotlight';
import { IconApps, IconCommand, IconKey, IconLayoutGrid, IconListCheck, IconMoon, IconRocket, IconServer2, IconSettings, IconSun } from '@tabler/icons-react';
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTransport } from '../hooks/transport-context.ts';
import { useAction } from '../hooks/use-action.ts';
import { useQuery } from '../hooks/use-query.ts';
import type { ConnectionState } from '../transport/transport.ts';
import { MatrixActions } from '../pages/matrix/MatrixActions.tsx';
import { MatrixPage } from '../pages/matrix/MatrixPage.tsx';

// The matrix is the home page and loads with the app; the other pages load when first opened,
// so the first paint does not wait for code it does not show.
const AppsPage = lazy(() => import('../pages/apps/AppsPage.tsx').then((m) => ({ default: m.AppsPage })));
const AuditPage = lazy(() => import('../pages/audit/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const ClustersPage = lazy(() => import('../pages/clusters/ClustersPage.tsx').then((m) => ({ default: m.ClustersPage })));
const KeysPage = lazy(() => import('../pages/keys/KeysPage.tsx').then((m) => ({ default: m.KeysPage })));
const RolloutsPage = lazy(() => import('../pages/rollouts/RolloutsPage.tsx').then((m) => ({ default: m.RolloutsPage })));
const SettingsPage = lazy(() => import('../pages/settings/SettingsPage.tsx').then((m) => ({ default: m.SettingsPage })));
import { navigate, ROUTES, useRoute, type RoutePath } from './routes.ts';
import { TokenStatus } from './TokenStatus.tsx';
import { CommandPalette } from './CommandPalette.tsx';
import { InterruptedNotice } from './InterruptedNotice.tsx';
import { RescanAfterRollouts } from './RescanAfterRollouts.tsx';

const PAGES: Record<RoutePath, { icon: ReactNode; page: () => ReactNode }> = {
  matrix: {
    icon: <IconLayoutGrid size={18} aria-hidden />,
    page: () => <MatrixPage renderActions={(selection, where, done) => <MatrixActions selection={selection} done={done} single={where === 'drawer'} />} />,
  },
  apps: { icon: <IconApps size={18} aria-hidden />, page: () => <AppsPage /> },
  clusters: { icon: <IconServer2 size={18} aria-hidden />, page: () => <ClustersPage /> },
  rollouts: { icon: <IconRocket size={18} aria-hidden />, page: () => <RolloutsPage /> },
  keys: { icon: <IconKey size={18} aria-hidden />, page: () => <KeysPage /> },
  audit: { icon: <IconListCheck size={18} aria-hidden />, page: () => <AuditPage /> },
  settings: { icon: <IconSettings size={18} aria-hidden />, page: () => <SettingsPage /> },
};

function BackendStatus() {
  const transport = useTransport();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => transport.onConnection(setState), [transport]);
  const color = state === 'connected' ? 'green' : state === 'connecting' ? 'yellow' : 'red';
  const text = state === 'connected' ? 'Backend connected' : state === 'connecting' ? 'Connecting…' : 'Backend unreachable';
  return (
    <Badge color={color} variant="dot" size="lg" data-testid="backend-status">
      {text}
    </Badge>
  );
}

/** Switches between light and dark and remembers the choice in the settings. */
function ThemeToggle({ onChange }: { onChange: (theme: 'light' | 'dark') => void }) {
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} theme`} onClick={() => onChange(next)} data-testid="theme-toggle">
        {computed === 'dark' ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell() {
  const { path: route } = useRoute();
  const [opened, { toggle, close }] = useDisclosure();
  const settings = useQuery('settings.get', {});
  const saveSettings = useAction('settings.set');
  const { setColorScheme } = useMantineColorScheme();
  const applyScheme = useRef(setColorScheme);
  applyScheme.current = setColorScheme;
  const theme = settings.data?.theme;
  useEffect(() => {
    if (theme) applyScheme.current(theme);
  }, [theme]);
  const switchTheme = (next: 'light' | 'dark') => {
    setColorScheme(next);
    void saveSettings.run({ patch: { theme: next } });
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="md">
          <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <img src="./tessera.svg" alt="" width={28} height={28} />
            <Text fw={700} size="lg">
              Tessera
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Tooltip label="Command palette (Ctrl+K)">
              <ActionIcon variant="default" size="lg" aria-label="Open the command palette" onClick={() => spotlight.open()} data-testid="palette-button">
                <IconCommand size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            <TokenStatus />
            <BackendStatus />
            <ThemeToggle onChange={switchTheme} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        {ROUTES.map((r) => (
          <NavLink
            key={r.path}
            href={`#/${r.path}`}
            label={r.label}
            leftSection={PAGES[r.path].icon}
            active={route === r.path}
            variant="filled"
            aria-current={route === r.path ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(r.path);
              close();
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <InterruptedNotice hidden={route === 'rollouts'} />
        <Suspense fallback={<Loader m="xl" aria-label="Loading the page" />}>{PAGES[route].page()}</Suspense>
      </AppShell.Main>
      <RescanAfterRollouts />
      <CommandPalette icons={Object.fromEntries(ROUTES.map((r) => [r.path, PAGES[r.path].icon])) as Record<RoutePath, ReactNode>} onThemeChange={switchTheme} />
    </AppShell>
  );
}
