import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listKubeContexts } from './kubeconfig-files.ts';

function kubeconfig(contexts: { name: string; cluster: string; server: string; user: string; namespace?: string }[], current?: string) {
  return [
    'apiVersion: v1',
    'kind: Config',
    current ? `current-context: ${current}` : '',
    'clusters:',
    ...contexts.map((c) => `- name: ${c.cluster}\n  cluster:\n    server: ${c.server}`),
    'contexts:',
    ...contexts.map(
      (c) => `- name: ${c.name}\n  context:\n    cluster: ${c.cluster}\n    user: ${c.user}${c.namespace ? `\n    namespace: ${c.namespace}` : ''}`,
    ),
    'users:',
    ...contexts.map((c) => `- name: ${c.user}\n  user:\n    token: not-a-real-token`),
  ].join('\n');
}

describe('kubeconfig contexts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-kubeconfig-'));
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  writeFileSync(
    a,
    kubeconfig(
      [
        { name: 'prod-eu', cluster: 'eu', server: 'https://eu.example:6443', user: 'alice', namespace: 'payments' },
        { name: 'shared', cluster: 'from-a', server: 'https://a.example', user: 'alice' },
      ],
      'prod-eu',
    ),
  );
  writeFileSync(
    b,
    kubeconfig(
      [
        { name: 'shared', cluster: 'from-b', server: 'https://b.example', user: 'bob' },
        { name: 'dev', cluster: 'dev', server: 'https://dev.example', user: 'bob' },
      ],
      'dev',
    ),
  );

  it('merges the KUBECONFIG list, the first file winning a duplicate name', () => {
    const list = listKubeContexts({ kubeconfigEnv: [a, b].join(delimiter) });
    expect(list.contexts.map((c) => c.name)).toEqual(['prod-eu', 'shared', 'dev']);
    const shared = list.contexts.find((c) => c.name === 'shared')!;
    expect(shared).toMatchObject({ cluster: 'from-a', server: 'https://a.example', user: 'alice', source: a });
    expect(list.contexts.find((c) => c.name === 'prod-eu')).toMatchObject({ namespace: 'payments', current: true });
    expect(list.contexts.find((c) => c.name === 'dev')).toMatchObject({ current: false, source: b });
    expect(list.problems).toEqual([]);
  });

  it('reports a malformed file clearly and still lists the others', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'contexts: [ {name: x\n  oops: : :');
    const list = listKubeContexts({ kubeconfigEnv: [broken, b].join(delimiter) });
    expect(list.contexts.map((c) => c.name)).toEqual(['shared', 'dev']);
    expect(list.problems).toHaveLength(1);
    expect(list.problems[0]!.message).toContain(broken);
    expect(list.problems[0]!.message).toMatch(/not valid YAML/);
  });

  it('reports a kubeconfig whose contexts are not a list', () => {
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'contexts: {name: x}\n');
    const list = listKubeContexts({ kubeconfigEnv: wrong });
    expect(list.contexts).toEqual([]);
    expect(list.problems[0]!.message).toBe(`${wrong}: "contexts" must be a list.`);
  });

  it('uses ~/.kube/config when KUBECONFIG is unset, and says when it is missing', () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-home-'));
    const list = listKubeContexts({ kubeconfigEnv: undefined, home });
    expect(list.files).toEqual([join(home, '.kube', 'config')]);
    expect(list.problems[0]!.message).toContain('does not exist');
  });

  it('merges extra files from settings after the others', () => {
    const list = listKubeContexts({ kubeconfigEnv: b, extraFiles: [a] });
    expect(list.contexts.map((c) => `${c.name}@${c.cluster}`)).toEqual(['shared@from-b', 'dev@dev', 'prod-eu@eu']);
    expect(list.contexts.find((c) => c.current)?.name).toBe('dev');
  });
});
