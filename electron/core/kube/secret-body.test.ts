import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Buffer, jsonWithData, zero } from './secret-body.ts';
import { backoffMs, retryAfterMs } from './http-client.ts';
import { createLimiter } from './limiter.ts';

describe('request bodies that carry values', () => {
  it('base64-encodes into a Buffer exactly like Node does', () => {
    for (let n = 0; n < 300; n++) {
      const b = randomBytes(n);
      expect(base64Buffer(b).toString()).toBe(b.toString('base64'));
    }
  });

  it('builds the JSON with data from Buffers and can zero every copy', () => {
    const { body, sensitive } = jsonWithData(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
      new Map([
        ['B', Buffer.from('two')],
        ['A', Buffer.from('one')],
      ]),
    );
    expect(JSON.parse(body.toString())).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { A: 'b25l', B: 'dHdv' } });
    zero(sensitive);
    expect(body.every((byte) => byte === 0)).toBe(true);
  });
});

describe('retry timing', () => {
  it('honours Retry-After in seconds and as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(undefined)).toBeNull();
    const at = retryAfterMs(new Date(Date.now() + 3000).toUTCString())!;
    expect(at).toBeGreaterThan(1000);
    expect(at).toBeLessThanOrEqual(3000);
  });

  it('backs off exponentially with full jitter under a cap', () => {
    for (let i = 0; i < 100; i++) {
      expect(backoffMs(3, 100, 10_000)).toBeLessThanOrEqual(800);
      expect(backoffMs(20, 100, 10_000)).toBeLessThanOrEqual(10_000);
    }
  });
});

describe('the concurrency limiter', () => {
  it('never runs more than the limit and serves lower priorities first', async () => {
    const limiter = createLimiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (p: number) =>
      limiter.run(
        async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(p);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        },
        undefined,
        p,
      );
    await Promise.all([task(9), task(8), task(5), task(1), task(3)]);
    expect(peak).toBe(2);
    expect(order).toEqual([9, 8, 1, 3, 5]);
  });

  it('drops a waiting task when its signal aborts', async () => {
    const limiter = createLimiter(1);
    const gate = limiter.run(() => new Promise((r) => setTimeout(r, 50)));
    const controller = new AbortController();
    const waiting = limiter.run(async () => 'ran', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    await gate;
    expect(limiter.waiting).toBe(0);
  });
});
