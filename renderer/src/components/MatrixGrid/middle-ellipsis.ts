// Shortens a name in the middle, keeping both ends: cluster names differ at the start (env,
// region) and at the end (a number), so "prod-eu-west-1-cluster-07" becomes "prod-eu-…ster-07"
// rather than "prod-eu-west-1-c…" which reads the same for every cluster of a region.

/** `text` as is when it has at most `max` characters, else its head and tail around "…". */
export function middleEllipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return `${chars.slice(0, head).join('')}…${tail > 0 ? chars.slice(chars.length - tail).join('') : ''}`;
}
