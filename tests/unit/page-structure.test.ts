// A page's <script> must sit inside its layout: Astro renders it where it is written, and
// one after </Layout> lands after </html> (invalid HTML, flagged by the Nu checker only on
// the pages the budgets can reach without data).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function astroFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? astroFiles(full) : entry.name.endsWith('.astro') ? [full] : [];
  });
}

describe('pages', () => {
  it('keep their scripts inside the layout', () => {
    const misplaced = astroFiles('src/pages').filter((file) => {
      const source = readFileSync(file, 'utf8');
      const end = source.lastIndexOf('</Layout>');
      return end !== -1 && source.indexOf('<script', end) !== -1;
    });
    expect(misplaced).toEqual([]);
  });
});
