// The command palette (Ctrl/Cmd + K): go to any page, an app, a secret, a cluster or a plan;
// scan the fleet; switch the theme. What it searches is loaded each time it opens, so it
// costs nothing while closed.
import { useComputedColorScheme } from '@mantine/core';
import { Spotlight, type SpotlightActionData } from '@mantine/spotlight';
import { IconApps, IconKey, IconMoon, IconRadar, IconRocket, IconSearch, IconServer2 } from '@tabler/icons-react';
import { useCallback, useState, type ReactNode } from 'react';
import type { AppSummary, KubeClusterView, PlanSummary } from '../../../shared/contract/index.ts';
import { useAction } from '../hooks/use-action.ts';
import { useTransport } from '../hooks/transport-context.ts';
import { planTitle } from '../pages/rollouts/plan-title.ts';
import { navigate, ROUTES, type RoutePath } from './routes.ts';

export interface CommandPaletteProps {
  /** The icon of each page, as the navigation shows it. */
  icons: Record<RoutePath, ReactNode>;
  onThemeChange: (theme: 'light' | 'dark') => void;
}

interface Searchable {
  apps: AppSummary[];
  secrets: { app: string; namespace: string; name: string }[];
  clusters: KubeClusterView[];
  plans: PlanSummary[];
}

const EMPTY: Searchable = { apps: [], secrets: [], clusters: [], plans: [] };

export function CommandPalette({ icons, onThemeChange }: CommandPaletteProps) {
  const transport = useTransport();
  const scan = useAction('kube.scan');
  const computed = useComputedColorScheme('light');
  const [found, setFound] = useState<Searchable>(EMPTY);

  const load = useCallback(async () => {
    const [apps, clusters, plans] = await Promise.all([
      transport.invoke('vault.apps', {}),
      transport.invoke('kube.clusters', {}),
      transport.invoke('rollout.plans', { limit: 200 }),
    ]);
    const appList = apps.ok ? apps.value : [];
    const views = await Promise.all(appList.filter((a) => a.secretCount > 0).map((a) => transport.invoke('vault.app', { app: a.name })));
    setFound({
      apps: appList,
      secrets: views.flatMap((v) => (v.ok ? v.value.secrets.map((s) => ({ app: v.value.name, namespace: v.value.namespace, name: s.name })) : [])),
      clusters: clusters.ok ? clusters.value : [],
      plans: plans.ok ? plans.value : [],
    });
  }, [transport]);

  const actions: SpotlightActionData[] = [
    ...ROUTES.map((r) => ({ id: `page-${r.path}`, label: `Go to ${r.label}`, group: 'Pages', leftSection: icons[r.path], onClick: () => navigate(r.path) })),
    ...found.apps.map((a) => ({
      id: `app-${a.name}`,
      label: `App ${a.name}`,
      description: `namespace ${a.namespace} · ${a.secretCount} secret${a.secretCount === 1 ? '' : 's'}`,
      keywords: [a.namespace, ...a.owners],
      group: 'Apps',
      leftSection: <IconApps size={18} aria-hidden />,
      onClick: () => navigate('apps', a.name),
    })),
    ...found.secrets.map((s) => ({
      id: `secret-${s.app}-${s.name}`,
      label: `Secret ${s.namespace}/${s.name}`,
      description: `of app ${s.app}`,
      keywords: [s.app],
      group: 'Secrets',
      leftSection: <IconKey size={18} aria-hidden />,
      onClick: () => navigate('apps', s.app),
    })),
    ...found.clusters.map((c) => ({
      id: `cluster-${c.name}`,
      label: `Cluster ${c.name}`,
      description:
        Object.entries(c.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || 'no labels',
      keywords: Object.values(c.labels),
      group: 'Clusters',
      leftSection: <IconServer2 size={18} aria-hidden />,
      onClick: () => navigate('clusters', c.name),
    })),
    ...found.plans.map((p) => ({
      id: `plan-${p.hash}`,
      label: `Plan: ${planTitle(p)}`,
      description: `${p.hash.slice(0, 12)} · by ${p.createdBy} · ${new Date(p.createdAt).toLocaleString()}`,
      keywords: [p.hash],
      group: 'Plans',
      leftSection: <IconRocket size={18} aria-hidden />,
      onClick: () => navigate('rollouts', p.hash),
    })),
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
      limit={40}
      onSpotlightOpen={() => void load()}
      nothingFound="No page, app, secret, cluster, plan or action matches."
      highlightQuery
      // Mantine dims descriptions to 0.7 opacity on top of the dimmed colour: too faint to read.
      styles={{ actionDescription: { opacity: 1 } }}
      shortcut={['mod + K', '/']}
      searchProps={{
        leftSection: <IconSearch size={18} aria-hidden />,
        placeholder: 'Find an app, secret, cluster, plan or page…',
        'aria-label': 'Command palette',
      }}
    />
  );
}
