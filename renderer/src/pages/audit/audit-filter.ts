// Filtering audit entries by action, actor, outcome and free text (subject and details).
import type { AuditEntryView } from '../../../../shared/contract/index.ts';

export interface AuditFilter {
  action: string | null;
  actor: string | null;
  outcome: 'all' | AuditEntryView['outcome'];
  text: string;
}

export const NO_FILTER: AuditFilter = { action: null, actor: null, outcome: 'all', text: '' };

export function detailsText(details: AuditEntryView['details']): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

export function filterEntries(entries: readonly AuditEntryView[], f: AuditFilter): AuditEntryView[] {
  const q = f.text.trim().toLowerCase();
  return entries.filter(
    (e) =>
      (f.action === null || e.action === f.action) &&
      (f.actor === null || e.actor === f.actor) &&
      (f.outcome === 'all' || e.outcome === f.outcome) &&
      (q === '' || `${e.seq} ${e.action} ${e.actor} ${e.subject} ${detailsText(e.details)}`.toLowerCase().includes(q)),
  );
}
