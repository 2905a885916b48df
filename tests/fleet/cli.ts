// Run a simulated fleet for benchmarks and manual poking:
//   node tests/fleet/cli.ts --clusters 1000 --latency 20 --jitter 5 --fault-rate 0.1 --seed 42
// Prints the kubeconfig path, then a line starting with "fleet ready" once it serves.
import { parseArgs } from 'node:util';
import { ALL_FAULTS, startFleet } from './simulator.ts';
import type { FaultKind } from './simulator.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    latency: { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    'fault-rate': { type: 'string', default: '0' },
    'fault-kinds': { type: 'string' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string' },
    prefix: { type: 'string', default: 'sim-' },
    http: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: node tests/fleet/cli.ts [--clusters N] [--latency MS] [--jitter MS] [--fault-rate R] [--fault-kinds k1,k2] [--seed S] [--dir D] [--prefix P] [--http]',
  );
  console.log(`fault kinds: ${ALL_FAULTS.join(', ')}`);
  process.exit(0);
}
const rate = Number(values['fault-rate']);
const kinds = values['fault-kinds'] ? (values['fault-kinds'].split(',') as FaultKind[]) : undefined;
for (const k of kinds ?? []) if (!ALL_FAULTS.includes(k)) throw new Error(`unknown fault kind ${k}`);
const t0 = performance.now();
const fleet = await startFleet({
  clusters: Number(values.clusters),
  latency: { fixedMs: Number(values.latency), jitterMs: Number(values.jitter) },
  faults: rate > 0 ? { rate, kinds, seed: Number(values.seed) } : undefined,
  seed: Number(values.seed),
  dir: values.dir,
  namePrefix: values.prefix,
  tls: !values.http,
});
console.log(`KUBECONFIG=${fleet.kubeconfigPath}`);
console.log(
  `fleet ready: ${fleet.contexts.length} clusters at ${fleet.url}/c/NNNN in ${Math.round(performance.now() - t0)} ms (contexts ${fleet.contexts[0]}..${fleet.contexts.at(-1)})`,
);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const s = fleet.stats();
  await fleet.stop();
  console.log(`fleet stopped: ${s.requests} requests, ${s.bytesSent} bytes sent, faults ${JSON.stringify(s.faults)}`);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
