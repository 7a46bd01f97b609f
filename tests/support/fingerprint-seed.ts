// Writes content/seed-fingerprints.txt from the seed article(s): short hashes of every
// ten-word run, so the copy check works without shipping the article's text.
// Usage: node tests/support/fingerprint-seed.ts ../shared/seed/*.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { runFingerprints } from '#lib/lesson-rules.ts';

const all = new Set<string>();
for (const file of process.argv.slice(2)) for (const run of runFingerprints(readFileSync(file, 'utf8'))) all.add(run);
writeFileSync('content/seed-fingerprints.txt', [...all].sort().join('\n') + '\n');
console.log(`wrote ${all.size} fingerprints`);
