// The one targeting rule (scan, planner and the Apps editor use it): exclude wins, then include,
// then the label selector; an app is wanted only where it is also published.
import { describe, expect, it } from 'vitest';
import { isTargeted, targetReason, targets, type Publication, type Targeting } from './targeting.ts';

const prod = { env: 'prod', region: 'eu' };
const dev = { env: 'dev', region: 'eu' };
const t = (selector: string, include: string[] = [], exclude: string[] = []): Targeting => ({ selector, include, exclude });

describe('targeting rule', () => {
  it('selects by labels', () => {
    expect(targetReason(t('env=prod'), 'a', prod)).toBe('selector');
    expect(targetReason(t('env=prod'), 'b', dev)).toBe('none');
  });

  it('includes a cluster by name whatever its labels', () => {
    expect(targetReason(t('env=prod', ['b']), 'b', dev)).toBe('included');
  });

  it('lets exclude win over include and over the selector', () => {
    expect(targetReason(t('env=prod', ['a'], ['a']), 'a', prod)).toBe('excluded');
    expect(targets(t('region=eu', [], ['a']), 'a', prod)).toBe(false);
  });

  it('selects nothing by label with an empty or invalid selector', () => {
    expect(targetReason(t(''), 'a', prod)).toBe('none');
    expect(targetReason(t('   '), 'a', prod)).toBe('none');
    expect(targetReason(t('env in (prod'), 'a', prod)).toBe('none');
  });

  it('wants an app on a cluster only where it is published and targeted', () => {
    const pub: Publication = { targeting: t('env=prod'), published: ['a', 'b'] };
    expect(isTargeted(pub, 'a', prod)).toBe(true);
    expect(isTargeted(pub, 'b', dev)).toBe(false);
    expect(isTargeted(pub, 'c', prod)).toBe(false);
  });

  it('sees a publication changed in place (the compiled form is not stale)', () => {
    const pub = { targeting: { selector: 'env=prod', include: [] as string[], exclude: [] as string[] }, published: ['a'] };
    expect(isTargeted(pub, 'a', prod)).toBe(true);
    pub.targeting.exclude.push('a');
    expect(isTargeted(pub, 'a', prod)).toBe(false);
    pub.targeting.selector = 'env=dev';
    pub.targeting.exclude.pop();
    expect(isTargeted(pub, 'a', prod)).toBe(false);
    expect(isTargeted(pub, 'a', dev)).toBe(true);
  });

  it('agrees with targets() for every combination on a small grid', () => {
    const clusters: [string, Record<string, string>][] = [
      ['a', prod],
      ['b', dev],
      ['c', {}],
    ];
    for (const selector of ['', 'env=prod', 'region=eu', '!env'])
      for (const include of [[], ['b']])
        for (const exclude of [[], ['a'], ['b']])
          for (const [name, labels] of clusters) {
            const targeting = t(selector, include, exclude);
            expect(isTargeted({ targeting, published: ['a', 'b', 'c'] }, name, labels)).toBe(targets(targeting, name, labels));
          }
  });
});
