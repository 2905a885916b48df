// Seeds clusters with Tessera-managed Secrets the way Tessera writes them (server-side apply,
// field manager "tessera", its labels and annotations, 3 data keys), straight over HTTPS with
// many requests in flight and no injected latency, so that a scan has 200 apps to find.
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface SeedSpec {
  app: string;
  secret: string;
  versionId: string;
  keys: string[];
}

export interface SeedTarget {
  server: string;
  token: string;
  /** PEM of the cluster's CA when it differs from the shared caFile. */
  ca?: Buffer;
}

export async function seedSecrets(
  targets: SeedTarget[],
  specs: SeedSpec[],
  caFile: string | undefined,
  inFlight = 64,
): Promise<{ requests: number; failures: number; ms: number }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: inFlight, ...(caFile ? { ca: readFileSync(caFile) } : {}) });
  const bodies = specs.map((s) => {
    const data: Record<string, string> = {};
    for (const k of s.keys) data[k] = randomBytes(k === 'API_TOKEN' ? 48 : k === 'DB_PASSWORD' ? 24 : 10).toString('base64');
    return {
      spec: s,
      body: Buffer.from(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: s.secret,
            namespace: 'default',
            labels: { 'app.kubernetes.io/managed-by': 'tessera', 'tessera.dev/app': s.app },
            annotations: {
              'tessera.dev/version-id': s.versionId,
              'tessera.dev/keys': [...s.keys].sort().join(','),
              'tessera.dev/provisioned-at': new Date().toISOString(),
              'tessera.dev/provisioned-by': 'bench',
            },
          },
          type: 'Opaque',
          data,
        }),
      ),
    };
  });
  const jobs: { t: SeedTarget; b: (typeof bodies)[number] }[] = [];
  for (const t of targets) for (const b of bodies) jobs.push({ t, b });
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  const one = (job: (typeof jobs)[number]) =>
    new Promise<number>((resolve, reject) => {
      const url = `${job.t.server}/api/v1/namespaces/default/secrets/${job.b.spec.secret}?fieldManager=tessera&force=true`;
      const req = https.request(
        url,
        {
          method: 'PATCH',
          agent,
          ...(job.t.ca ? { ca: job.t.ca } : {}),
          headers: {
            Authorization: `Bearer ${job.t.token}`,
            'Content-Type': 'application/apply-patch+yaml',
            Accept: 'application/json',
            'Content-Length': job.b.body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(job.b.body);
    });
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < jobs.length) {
        const status = await one(jobs[next++]!);
        if (status < 200 || status > 299) failures++;
      }
    }),
  );
  agent.destroy();
  return { requests: jobs.length, failures, ms: performance.now() - t0 };
}
