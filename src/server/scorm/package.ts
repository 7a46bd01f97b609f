import { strToU8, zipSync } from 'fflate';
import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { NotFoundError } from '#server/kernel/errors.ts';
import { scormManifest } from './manifest.ts';
import { scoPage, scoStyles } from './self-contained.ts';
import { scoRuntimeSource } from './sco-runtime.ts';

// A course as a SCORM 1.2 package, for administrators to upload to their organisation's LMS
// (HealthStream, Cornerstone, Moodle …): issue 22 §1, decision 0046.

export interface ScormPackage {
  filename: string;
  bytes: Uint8Array;
}

/**
 * The self-contained package of `courseSlug`: imsmanifest.xml and one SCO (index.html,
 * sco.js, sco.css) with every lesson inside. `bodies` maps "course/lesson" to the lesson's
 * MDX body.
 */
export async function selfContainedPackage(
  ctx: RequestContext,
  courseSlug: string,
  bodies: ReadonlyMap<string, string>,
): Promise<ScormPackage> {
  requireAdmin(ctx, 'Only administrators can download SCORM packages.');
  const course = ctx.catalog.course(courseSlug);
  if (!course) throw new NotFoundError('No course has this address.');
  const files: Record<string, string> = {
    'index.html': scoPage(course, bodies),
    'sco.js': scoRuntimeSource,
    'sco.css': scoStyles,
  };
  const manifest = scormManifest(course, 'index.html', Object.keys(files));
  // A fixed time for every entry, so the same course gives the same bytes.
  const mtime = new Date('2026-01-01T00:00:00Z');
  const bytes = zipSync(
    Object.fromEntries(
      Object.entries({ 'imsmanifest.xml': manifest, ...files }).map(([name, text]) => [
        name,
        [strToU8(text), { mtime }],
      ]),
    ),
    { level: 9 },
  );
  return { filename: `${course.slug}-${course.version}-scorm12.zip`, bytes };
}
