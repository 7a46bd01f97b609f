import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The Node flags between `node` and `bin/start.ts` in package.json's "start" script
 * (e.g. `--max-semi-space-size=16`), so a test or bench that spawns the server directly
 * runs what `npm start` runs.
 */
export function startScriptFlags(): string[] {
  const start =
    (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts
      ?.start ?? '';
  const match = /^node\s+(.*?)\s*bin\/start\.ts/.exec(start.trim());
  return match?.[1] ? match[1].split(/\s+/).filter((flag) => flag.startsWith('--')) : [];
}
