// The content types of the files the built renderer is made of, for the two hosts that serve it
// (the Electron shell's app:// protocol and the headless host's HTTP server).

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** The content type of a renderer file by its extension (case-insensitive), or null for a kind the renderer does not ship. */
export function rendererContentType(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0 || dot < fileName.lastIndexOf('/')) return null;
  return CONTENT_TYPES[fileName.slice(dot).toLowerCase()] ?? null;
}
