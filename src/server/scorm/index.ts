// SCORM 1.2 export (issue 22 §1, decision 0046).
export { selfContainedPackage, type ScormPackage } from './package.ts';
export { scormManifest } from './manifest.ts';
export { lessonBodyHtml } from './self-contained.ts';
