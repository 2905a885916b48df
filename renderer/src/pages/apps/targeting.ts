// Which clusters an app's targeting picks, and why — the same rule the backend applies
// (exclude wins, then include, then the selector; an empty selector picks nothing by label).
import type { AppTargeting } from '../../../../shared/contract/index.ts';
import { matches, parseSelector } from '../../../../shared/domain/labels.ts';

export type TargetReason = 'excluded' | 'included' | 'selector' | 'none';

export function targetReason(t: AppTargeting, cluster: string, labels: Record<string, string>): TargetReason {
  if (t.exclude.includes(cluster)) return 'excluded';
  if (t.include.includes(cluster)) return 'included';
  if (t.selector.trim() === '') return 'none';
  const parsed = parseSelector(t.selector);
  return parsed.selector !== null && matches(parsed.selector, labels) ? 'selector' : 'none';
}

/** One line for lists: "env=prod · +2 included · −1 excluded". */
export function targetingSummary(t: AppTargeting): string {
  const parts: string[] = [];
  if (t.selector.trim() !== '') parts.push(t.selector.trim());
  if (t.include.length > 0) parts.push(`+${t.include.length} included`);
  if (t.exclude.length > 0) parts.push(`−${t.exclude.length} excluded`);
  return parts.length > 0 ? parts.join(' · ') : 'no clusters targeted';
}
