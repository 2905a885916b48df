// Messages from an API server are untrusted text: a cluster user can shape them, and validation
// errors quote the request ("Invalid value: …"), which for a Secret write holds the values.
// Before a message is stored (rollout_steps, logs) or shown, this removes anything that echoes
// the request and caps it.

/** The most characters of an API server's sentence Tessera keeps. */
export const API_MESSAGE_LIMIT = 400;

const OMITTED = '(omitted)';
/** Pieces of a message this long or longer are checked against the request. */
const MIN_ECHO = 6;

function echoes(piece: string, sources: readonly Buffer[]): boolean {
  if (piece.length < MIN_ECHO) return false;
  return sources.some((b) => b.includes(piece, 0, 'utf8'));
}

function isControl(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/**
 * The message with every quoted value ("Invalid value: …") dropped, every piece found in one of
 * `sources` (the request body, the values it carried) replaced, control characters removed, and
 * at most API_MESSAGE_LIMIT characters.
 */
export function sanitizeApiMessage(message: string, sources: readonly Buffer[] = []): string {
  let text = [...message].map((ch) => (isControl(ch) ? ' ' : ch)).join('');
  // What the API server quotes back as the offending value is never needed to act on the error.
  text = text.replace(/Invalid value: (?:"(?:[^"\\]|\\.)*"|\S+)/gu, `Invalid value: ${OMITTED}`);
  if (sources.some((b) => b.length > 0)) {
    text = text.replace(/"((?:[^"\\]|\\.)*)"/gu, (all, inner: string) => (echoes(inner, sources) ? `"${OMITTED}"` : all));
    text = text.replace(/[^\s"'`,;:()[\]{}<>=]+/gu, (piece) => (echoes(piece, sources) ? OMITTED : piece));
  }
  if (text.length > API_MESSAGE_LIMIT) text = `${text.slice(0, API_MESSAGE_LIMIT - 1)}…`;
  return text;
}
