// One shared desk for the e2e tests that walk the desk as its users meet it: a fleet of 50
// simulated clusters with long, real-looking names (20 prod, 30 staging), one of them refusing
// Secrets, plus one offline cluster that accepts connections and never answers; four SoftHSM2
// tokens (a security officer, a backup and two release managers); `tessera serve` on top.
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startFleet, type Fleet } from '../fleet/simulator.ts';
import { rpc } from './rpc.ts';
import { serveTessera, type ServedTessera } from './serve.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm, type SoftHsmToken } from './softhsm.ts';

export const DESK_TOKENS = [
  { label: 'officer', pin: '314159', soPin: '11223344' },
  { label: 'vault-backup', pin: '271828', soPin: '22334455' },
  { label: 'rm-alice', pin: '161803', soPin: '33445566' },
  { label: 'rm-bob', pin: '141421', soPin: '44556677' },
] as const;

export type DeskTokenLabel = (typeof DESK_TOKENS)[number]['label'];

export interface DeskCluster {
  name: string;
  env: 'prod' | 'staging';
  region: string;
}

export interface Desk {
  fleet: Fleet;
  served: ServedTessera;
  hsm: SoftHsm;
  dir: string;
  /** Every cluster Tessera sees, in kubeconfig order (the offline one last). */
  clusters: DeskCluster[];
  prod: string[];
  staging: string[];
  /** Accepts TCP connections and never answers. */
  offline: string;
  /** Answers, but refuses every Secret request (403). */
  forbidden: string;
  token(label: DeskTokenLabel): SoftHsmToken;
  stop(): Promise<void>;
}

/** Why the desk cannot be built here, or null. */
export function deskSkipReason(): string | null {
  return softHsmSkipReason();
}

const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1'];

/** A server that takes connections and says nothing: an offline cluster behind a silent firewall. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, sockets };
}

export interface DeskOptions {
  /** Simulated clusters that answer (default 50: 20 prod, the rest staging). */
  clusters?: number;
  /** Per-request timeout the desk is configured with, seconds (default 3). */
  requestTimeoutSeconds?: number;
  actor?: string;
}

export async function startDesk(options: DeskOptions = {}): Promise<Desk> {
  const count = options.clusters ?? 50;
  const fleet = await startFleet({ clusters: count });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-desk-'));
  const silent = await silentServer();

  // Rename the simulator's contexts to the long names a real fleet has.
  const doc = parse(readFileSync(fleet.kubeconfigPath, 'utf8')) as {
    clusters: { name: string; cluster: { server: string; 'certificate-authority'?: string } }[];
    users: { name: string; user: { token: string } }[];
    contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
    'current-context': string;
  };
  const clusters: DeskCluster[] = [];
  const bySim = new Map<string, string>();
  fleet.contexts.forEach((sim, i) => {
    const env = i < 20 ? 'prod' : 'staging';
    const region = REGIONS[i % REGIONS.length]!;
    const n = String(i < 20 ? i : i - 20).padStart(2, '0');
    const name = `${env}-${region}-cluster-${n}`;
    clusters.push({ name, env, region });
    bySim.set(sim, name);
  });
  for (const c of doc.contexts) c.name = bySim.get(c.name)!;
  const offline = 'prod-ap-south-1-cluster-99';
  doc.clusters.push({ name: 'offline', cluster: { server: `https://127.0.0.1:${silent.port}` } });
  doc.users.push({ name: 'offline', user: { token: 'e2e-offline' } });
  doc.contexts.push({ name: offline, context: { cluster: 'offline', user: 'offline' } });
  doc['current-context'] = clusters[0]!.name;
  clusters.push({ name: offline, env: 'prod', region: 'ap-south-1' });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, stringify(doc), { mode: 0o600 });

  const forbiddenSim = fleet.contexts[count - 1]!;
  fleet.setPolicy(forbiddenSim, { denySecrets: 'all' });
  const forbidden = bySim.get(forbiddenSim)!;

  const hsm = createSoftHsm(DESK_TOKENS.map((t) => ({ ...t })));
  const served = await serveTessera({
    dataDir: join(dir, 'data'),
    env: { SOFTHSM2_CONF: hsm.conf, KUBECONFIG: kubeconfig, TESSERA_ACTOR: options.actor ?? 'olivia' },
  });
  await rpc(served, 'settings.set', { patch: { requestTimeoutSeconds: options.requestTimeoutSeconds ?? 3 } });
  for (const c of clusters) await rpc(served, 'kube.setLabels', { cluster: c.name, set: { env: c.env, region: c.region }, remove: [] });

  return {
    fleet,
    served,
    hsm,
    dir,
    clusters,
    prod: clusters.filter((c) => c.env === 'prod').map((c) => c.name),
    staging: clusters.filter((c) => c.env === 'staging').map((c) => c.name),
    offline,
    forbidden,
    token(label) {
      return hsm.tokens.find((t) => t.label === label)!;
    },
    async stop() {
      await served.stop();
      for (const s of silent.sockets) s.destroy();
      await new Promise((r) => silent.server.close(r));
      await fleet.stop();
      hsm.cleanup();
    },
  };
}

/** Unlocks a desk token through the API, as if its holder had typed the PIN. */
export async function unlockByApi(desk: Desk, label: DeskTokenLabel): Promise<void> {
  const t = desk.token(label);
  await rpc(desk.served, 'hsm.login', { tokenSerial: t.serial, pin: t.pin });
}

/** A screenshot in the light theme and one in the dark theme, kept with the test's results. */
export async function shotBothThemes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const html = page.locator('html');
  const toggle = () => page.getByTestId('theme-toggle').evaluate((el: HTMLElement) => el.click());
  const start = await html.getAttribute('data-mantine-color-scheme');
  if (start === 'dark') {
    await toggle();
    await expect(html).toHaveAttribute('data-mantine-color-scheme', 'light');
  }
  await page.screenshot({ path: testInfo.outputPath(`${name}-light.png`) });
  await toggle();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: testInfo.outputPath(`${name}-dark.png`) });
  await toggle();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'light');
}
