/** Which built files a first visit of the web console fetches (the bench's first-load figure). */
import { describe, expect, it } from 'vitest';
import { firstLoadFiles } from '../../bench/console-bundle.js';

describe('first-load files', () => {
  it('are the page, the entries, their static imports and CSS, not lazy chunks', () => {
    const manifest = {
      'index.html': { file: 'assets/index.js', isEntry: true, imports: ['_vendor.js'], css: ['assets/index.css'] },
      '_vendor.js': { file: 'assets/vendor.js' },
      'src/lazy.tsx': { file: 'assets/lazy.js', imports: ['_vendor.js'] },
    };
    expect(firstLoadFiles(manifest).sort()).toEqual(['assets/index.css', 'assets/index.js', 'assets/vendor.js', 'index.html']);
  });
});
