import { describe, expect, it } from 'vitest';
import { middleEllipsis } from './middle-ellipsis.ts';

describe('middleEllipsis', () => {
  it('leaves a short name alone', () => {
    expect(middleEllipsis('prod-eu', 16)).toBe('prod-eu');
    expect(middleEllipsis('exactly-sixteen!', 16)).toBe('exactly-sixteen!');
  });
  it('keeps the head and the tail so clusters of one region stay apart', () => {
    const a = middleEllipsis('prod-eu-west-1-cluster-07', 16);
    const b = middleEllipsis('prod-eu-west-1-cluster-08', 16);
    expect([...a]).toHaveLength(16);
    expect(a).toBe('prod-eu-…ster-07');
    expect(a).not.toBe(b);
  });
  it('never splits a character made of two UTF-16 units', () => {
    expect(middleEllipsis('🔒🔒🔒🔒🔒🔒', 4)).toBe('🔒🔒…🔒');
  });
  it('returns the ellipsis alone when there is no room', () => {
    expect(middleEllipsis('abcdef', 1)).toBe('…');
  });
});
