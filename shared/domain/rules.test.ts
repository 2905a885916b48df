// Every validation rule with a bad and a good value.
import { describe, it, expect } from 'vitest';
import { TesseraError } from '../contract/errors.ts';
import { check, dnsLabelRule, dnsSubdomainRule, envVarRule, labelKeyRule, labelValueRule, mountPathRule, secretKeyRule } from './names.ts';
import { formatSelector, matches, parseSelector, selectorRule } from './labels.ts';
import { MAX_SECRET_BYTES, appSpecViolations, base64Length, keyNameViolations, secretSpecViolations, versionViolations } from './secret-rules.ts';

const cases: [string, (v: string) => string | null, string[], string[]][] = [
  ['DNS-1123 label', dnsLabelRule, ['payments', 'a', 'a-1', 'x'.repeat(63)], ['', 'Payments', '-a', 'a-', 'a.b', 'x'.repeat(64)]],
  ['DNS-1123 subdomain', dnsSubdomainRule, ['db-credentials', 'a.b.c', 'x'.repeat(253)], ['', 'DB', 'a..b', '.a', 'a_b', 'x'.repeat(254)]],
  ['secret key', secretKeyRule, ['tls.crt', 'PASSWORD', 'a-b_c.d', 'x'.repeat(253)], ['', 'a b', 'a/b', '.', '..', 'é', 'x'.repeat(254)]],
  ['env var', envVarRule, ['PASSWORD', '_x', 'a1'], ['1A', 'A-B', 'A.B', '']],
  ['mount path', mountPathRule, ['/etc/tls', '/'], ['etc/tls', '/a/../b', '/a:b', '']],
  ['label key', labelKeyRule, ['env', 'tessera.dev/app', 'a_b.c'], ['', '-a', 'Bad Prefix/x', `${'x'.repeat(64)}`]],
  ['label value', labelValueRule, ['prod', '', 'a.b_c-d'], ['-x', 'a b', 'x'.repeat(64)]],
  [
    'selector',
    selectorRule,
    ['', 'env=prod', 'env==prod,region in (eu,us),!legacy,tier!=db,gpu', 'env notin (dev)'],
    ['env=prod,,x', 'region in ()', 'env=pr od', '=x', 'a in (b'],
  ],
];

describe('name rules', () => {
  for (const [name, rule, good, bad] of cases) {
    it(`${name}: accepts ${good.length} good values and names the rule for ${bad.length} bad ones`, () => {
      for (const v of good) expect(rule(v), JSON.stringify(v)).toBeNull();
      for (const v of bad) expect(rule(v), JSON.stringify(v)).toMatch(/must/u);
    });
  }

  it('check() throws INVALID_INPUT naming the field and the rule', () => {
    try {
      check('keys.2.name', secretKeyRule('a b'));
      throw new Error('no throw');
    } catch (error) {
      expect(error).toBeInstanceOf(TesseraError);
      expect((error as TesseraError).code).toBe('INVALID_INPUT');
      expect((error as TesseraError).field).toBe('keys.2.name');
      expect((error as TesseraError).message).toMatch(/^"keys\.2\.name": must match \[-\._a-zA-Z0-9\]\+/u);
    }
  });
});

describe('label selectors', () => {
  const labels = { env: 'prod', region: 'eu', tier: 'web' };
  it('matches equality, set, existence and negation', () => {
    const yes = ['', 'env=prod', 'env==prod', 'region in (eu,us)', 'tier!=db', 'env', '!legacy', 'region notin (us)'];
    const no = ['env=dev', 'region in (us)', 'tier!=web', 'legacy', '!env', 'region notin (eu)'];
    for (const s of yes) expect(matches(parseSelector(s).selector!, labels), s).toBe(true);
    for (const s of no) expect(matches(parseSelector(s).selector!, labels), s).toBe(false);
  });
  it('prints a canonical form', () => {
    expect(formatSelector(parseSelector(' region in (us, eu) , env==prod,!x').selector!)).toBe('region in (eu,us),env=prod,!x');
  });
});

describe('secret and version rules', () => {
  it('secret spec: delivery, mount path, workload', () => {
    expect(secretSpecViolations({ name: 'db', delivery: 'env' })).toEqual([]);
    expect(
      secretSpecViolations({ name: 'tls', delivery: 'volume', mountPath: '/etc/tls', workload: { kind: 'Deployment', name: 'web', container: 'app' } }),
    ).toEqual([]);
    expect(secretSpecViolations({ name: 'tls', delivery: 'volume' })[0]).toMatchObject({ field: 'mountPath', message: expect.stringMatching(/required/u) });
    expect(secretSpecViolations({ name: 'db', delivery: 'env', mountPath: '/x' })[0]!.field).toBe('mountPath');
    expect(secretSpecViolations({ name: 'tls', delivery: 'volume', mountPath: 'relative' })[0]!.field).toBe('mountPath');
    expect(secretSpecViolations({ name: 'db', delivery: 'env', workload: { kind: 'Pod' as 'CronJob', name: 'x' } })[0]!.field).toBe('workload.kind');
    expect(secretSpecViolations({ name: 'db', delivery: 'env', workload: { kind: 'CronJob', name: 'x', container: 'Bad_C' } })[0]!.field).toBe(
      'workload.container',
    );
    expect(secretSpecViolations({ name: 'DB', delivery: 'env' })[0]!.field).toBe('name');
  });

  it('refuses a Job when the secret is defined: its pod template is immutable', () => {
    const [violation] = secretSpecViolations({ name: 'db', delivery: 'env', workload: { kind: 'Job' as 'CronJob', name: 'migrate' } });
    expect(violation).toMatchObject({ field: 'workload.kind', message: expect.stringMatching(/Job's pod template cannot be changed.*CronJob/u) });
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] as const)
      expect(secretSpecViolations({ name: 'db', delivery: 'env', workload: { kind, name: 'x' } })).toEqual([]);
  });

  it('key names: pattern, env-var names for env delivery, duplicates, at least one', () => {
    expect(keyNameViolations(['tls.crt', 'tls.key'], 'volume')).toEqual([]);
    expect(keyNameViolations(['tls.crt'], 'env')[0]).toMatchObject({ field: 'keys.0.name', message: expect.stringMatching(/environment variable/u) });
    expect(keyNameViolations(['A', 'B', 'A'], 'env')[0]).toMatchObject({ field: 'keys.2.name', message: 'duplicates key "A"' });
    expect(keyNameViolations(['a b'], 'volume')[0]!.message).toMatch(/\[-\._a-zA-Z0-9\]\+/u);
    expect(keyNameViolations([], 'env')[0]!.field).toBe('keys');
  });

  it('total size counts base64 and stays under 1 MiB', () => {
    expect(base64Length(0)).toBe(0);
    expect(base64Length(1)).toBe(4);
    expect(base64Length(3)).toBe(4);
    expect(base64Length(4)).toBe(8);
    expect(versionViolations([{ name: 'BIG', size: 700_000 }], 'env')).toEqual([]);
    // 800 KB of bytes is > 1 MiB once base64-encoded.
    const big = versionViolations([{ name: 'BIG', size: 800_000 }], 'env');
    expect(big[0]).toMatchObject({ field: 'keys', message: expect.stringMatching(/after base64/u) });
    expect(MAX_SECRET_BYTES).toBe(1048576);
  });

  it('app: name and namespace', () => {
    expect(appSpecViolations({ name: 'billing', namespace: 'payments' })).toEqual([]);
    expect(appSpecViolations({ name: 'Billing', namespace: 'pay.ments' }).map((v) => v.field)).toEqual(['name', 'namespace']);
  });
});
