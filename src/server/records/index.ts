// The public face of this domain: pages, Actions and other domains import only this file.
export { type Transcript, type TranscriptEntry, myTranscript, transcriptCsv, transcriptPdf } from './transcript.ts';
