// Label selectors as the apiserver parses them (k8s.io/apimachinery/pkg/labels).

export type Requirement = { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!' };

export class SelectorError extends Error {}

export function parseSelector(s: string): Requirement[] {
  const out: Requirement[] = [];
  const src = s.trim();
  if (src === '') return out;
  let i = 0;
  const ws = (): void => {
    while (i < src.length && src[i] === ' ') i++;
  };
  const ident = (): string => {
    ws();
    const m = /^[A-Za-z0-9._\-/]+/.exec(src.slice(i));
    if (!m) throw new SelectorError(`unable to parse requirement: found '${src.slice(i, i + 1) || 'EOS'}', expected: identifier`);
    i += m[0].length;
    return m[0];
  };
  const value = (): string => {
    ws();
    const m = /^[A-Za-z0-9._-]*/.exec(src.slice(i));
    i += m ? m[0].length : 0;
    return m ? m[0] : '';
  };
  while (i < src.length) {
    ws();
    if (src[i] === '!') {
      i++;
      out.push({ key: ident(), op: '!' });
    } else {
      const key = ident();
      ws();
      const rest = src.slice(i);
      if (rest.startsWith('==')) {
        i += 2;
        out.push({ key, op: 'in', values: [value()] });
      } else if (rest.startsWith('!=')) {
        i += 2;
        out.push({ key, op: 'notin', values: [value()] });
      } else if (rest.startsWith('=')) {
        i += 1;
        out.push({ key, op: 'in', values: [value()] });
      } else if (/^(in|notin)\s*\(/.test(rest)) {
        const op = rest.startsWith('in') ? 'in' : 'notin';
        i += op.length;
        ws();
        i++; // (
        const values: string[] = [];
        for (;;) {
          values.push(value());
          ws();
          if (src[i] === ',') {
            i++;
            continue;
          }
          if (src[i] === ')') {
            i++;
            break;
          }
          throw new SelectorError(`unable to parse requirement: found '${src[i] ?? ''}', expected: ',' or ')'`);
        }
        out.push({ key, op, values });
      } else if (rest === '' || rest.startsWith(',')) {
        out.push({ key, op: 'exists' });
      } else {
        throw new SelectorError(`unable to parse requirement: found '${rest.split(/[ ,]/)[0]}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    ws();
    if (i < src.length) {
      if (src[i] !== ',') throw new SelectorError(`found '${src[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return out;
}

export function matches(reqs: Requirement[], labels: Record<string, unknown> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.hasOwn(l, r.key);
    const v = has ? String(l[r.key]) : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v as string)) return false;
        break;
    }
  }
  return true;
}
