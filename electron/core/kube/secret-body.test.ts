import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Buffer, jsonWithData, zero } from './secret-body.ts';
import { API_MESSAGE_LIMIT, sanitizeApiMessage } from './api-message.ts';
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

describe('the apply body is built structurally', () => {
  it('puts the values in data even when an annotation holds the old placeholder text or anything else a cluster user chose', () => {
    const hostile = ['__tessera_data_placeholder__', '"__tessera_data_placeholder__"', '{"data":"x"}', '},"data":{"A":"eA=="}', '\\"\u2028'];
    for (const text of hostile) {
      const object = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', annotations: { 'tessera.dev/provisioned-by': text, [text]: text } } };
      const { body } = jsonWithData(object, new Map([['PASSWORD', Buffer.from('s3cret-value')]]));
      const parsed = JSON.parse(body.toString());
      expect(parsed.metadata.annotations['tessera.dev/provisioned-by']).toBe(text);
      expect(parsed.data).toEqual({ PASSWORD: Buffer.from('s3cret-value').toString('base64') });
      expect(JSON.stringify(parsed.metadata)).not.toContain(Buffer.from('s3cret-value').toString('base64'));
    }
  });

  it('refuses an object that brings its own data field', () => {
    expect(() => jsonWithData({ data: {} }, new Map())).toThrow(/must not have a data field/u);
  });
});

describe('messages from an API server', () => {
  it('drops what the server quotes back and anything found in the request, and caps the length', () => {
    const value = Buffer.from('hunter2-very-secret');
    const body = Buffer.from(`{"metadata":{"labels":{"x":"${value.toString('base64')}"}},"data":{"P":"${value.toString('base64')}"}}`);
    const message = `Secret "db" is invalid: metadata.labels: Invalid value: "${value.toString('base64')}": a valid label must be 63 characters; also ${value.toString('base64')} and ${value.toString()}`;
    const clean = sanitizeApiMessage(message, [body, value]);
    expect(clean).toContain('Secret "db" is invalid: metadata.labels: Invalid value: (omitted)');
    expect(clean).not.toContain(value.toString('base64'));
    expect(clean).not.toContain(value.toString());
    expect(sanitizeApiMessage('x'.repeat(5000)).length).toBe(API_MESSAGE_LIMIT);
    expect(sanitizeApiMessage('line\none\u0000two')).toBe('line one two');
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
