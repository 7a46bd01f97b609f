import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatCalendarDate } from '#lib/time-format.ts';

// The transcript as a PDF, the way certificates are made: pdf-lib with the DejaVu fonts
// embedded as subsets (Latin Extended, Greek, Cyrillic), A4, plain text a registrar can
// read and copy. Each document parses its own font copy: nothing is shared between PDFs.

/** What the PDF prints (the transcript service's `Transcript` fits it). */
export interface TranscriptPdfInput {
  name: string;
  email: string;
  madeOn: string;
  totalHours: number;
  entries: {
    title: string;
    completedOn: string;
    contactHours: number;
    certificate: { code: string; url: string; status: string } | undefined;
  }[];
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const INK = rgb(0.11, 0.13, 0.15);
const MUTED = rgb(0.35, 0.38, 0.42);

let fontBytes: { regular: Uint8Array; bold: Uint8Array } | undefined;
function fonts() {
  if (!fontBytes) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
    fontBytes = { regular: read('DejaVuSans.ttf'), bold: read('DejaVuSans-Bold.ttf') };
  }
  return fontBytes;
}

/** Splits text into lines no wider than `width` at `size` (long words are split too). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const tried = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(tried, size) <= width) {
      line = tried;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (font.widthOfTextAtSize(line, size) > width) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines;
}

const hours = (n: number) => `${n} contact ${n === 1 ? 'hour' : 'hours'}`;

export async function renderTranscriptPdf(transcript: TranscriptPdfInput, organization: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const bytes = fonts();
  const regular = await doc.embedFont(bytes.regular, { subset: true });
  const bold = await doc.embedFont(bytes.bold, { subset: true });
  doc.setTitle(`Transcript of ${transcript.name}`);
  doc.setAuthor(organization);
  doc.setProducer('Rounds');
  doc.setCreationDate(new Date(`${transcript.madeOn}T00:00:00Z`));
  doc.setModificationDate(new Date(`${transcript.madeOn}T00:00:00Z`));

  const width = A4.width - 2 * MARGIN;
  let page: PDFPage = doc.addPage([A4.width, A4.height]);
  let y = A4.height - MARGIN;
  const write = (text: string, font: PDFFont, size: number, color = INK, gap = 4) => {
    for (const line of wrap(text, font, size, width)) {
      if (y - size < MARGIN) {
        page = doc.addPage([A4.width, A4.height]);
        y = A4.height - MARGIN;
      }
      y -= size;
      page.drawText(line, { x: MARGIN, y, size, font, color });
      y -= gap;
    }
  };

  write(organization, regular, 11, MUTED);
  write('Transcript', bold, 24, INK, 8);
  write(transcript.name, bold, 14);
  write(transcript.email, regular, 11, MUTED);
  write(`Made on ${formatCalendarDate(transcript.madeOn)}`, regular, 11, MUTED, 16);
  write(
    transcript.entries.length === 0
      ? 'No course completed yet.'
      : `${transcript.entries.length} ${transcript.entries.length === 1 ? 'course' : 'courses'} completed, ${hours(transcript.totalHours)} in all.`,
    regular,
    12,
    INK,
    14,
  );
  for (const entry of transcript.entries) {
    write(entry.title, bold, 12, INK, 3);
    write(`Completed ${formatCalendarDate(entry.completedOn)} · ${hours(entry.contactHours)}`, regular, 10.5, INK, 3);
    if (entry.certificate) {
      write(`Certificate ${entry.certificate.code} (${entry.certificate.status})`, regular, 10.5, INK, 3);
      write(`Verify: ${entry.certificate.url}`, regular, 9.5, MUTED, 12);
    } else {
      write('No certificate issued for this course.', regular, 10.5, MUTED, 12);
    }
  }
  write(
    'Each certificate’s link shows its current status, signed by the issuer. This transcript lists what its holder completed on Rounds.',
    regular,
    9,
    MUTED,
  );
  return doc.save({ useObjectStreams: false });
}
