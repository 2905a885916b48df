import { describe, expect, it } from 'vitest';
import { rendererContentType } from './content-types.ts';

describe('rendererContentType', () => {
  it('names the type of each kind of file the renderer ships, whatever the case of the extension', () => {
    expect(rendererContentType('index.html')).toBe('text/html; charset=utf-8');
    expect(rendererContentType('assets/main-1a2b.JS')).toBe('text/javascript; charset=utf-8');
    expect(rendererContentType('fonts/x.woff2')).toBe('font/woff2');
  });
  it('has no type for other files, for names without an extension, or for a dot in a folder name', () => {
    expect(rendererContentType('tessera.db')).toBeNull();
    expect(rendererContentType('README')).toBeNull();
    expect(rendererContentType('dir.js/file')).toBeNull();
  });
});
