// Draws the app icons from one SVG and writes the PNGs that the web app manifest and iOS need.
// Run after changing the drawing: `node bin/make-icons.ts` (the PNGs are committed, so a build
// does not need an image library).
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';

const ACCENT = '#0b5d57';

/** A tick in a rounded square. `safe` shrinks the tick into the central 80% that maskable icons keep. */
function drawing(safe: boolean): string {
  const scale = safe ? 0.72 : 1;
  const offset = (512 * (1 - scale)) / 2;
  const background = safe
    ? `<rect width="512" height="512" fill="${ACCENT}"/>`
    : `<rect width="512" height="512" rx="112" fill="${ACCENT}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">${background}<g transform="translate(${offset} ${offset}) scale(${scale})"><path d="M136 272l80 80 160-184" fill="none" stroke="#fff" stroke-width="52" stroke-linecap="round" stroke-linejoin="round"/></g></svg>`;
}

const outputs: { file: string; size: number; maskable: boolean }[] = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'maskable-192.png', size: 192, maskable: true },
  { file: 'maskable-512.png', size: 512, maskable: true },
  // iOS rounds the corners itself and shows transparency as black: a full square.
  { file: 'apple-touch-icon.png', size: 180, maskable: true },
];
writeFileSync('public/icons/icon.svg', drawing(false) + '\n');
for (const { file, size, maskable } of outputs) {
  const png = await sharp(Buffer.from(drawing(maskable)))
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
  writeFileSync(`public/icons/${file}`, png);
  console.log(`public/icons/${file}: ${png.length} bytes`);
}
