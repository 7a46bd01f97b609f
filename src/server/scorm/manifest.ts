import { create } from 'xmlbuilder2';
import type { CatalogCourse } from '#lib/catalog.ts';

// The SCORM 1.2 manifest (IMS Content Packaging 1.1.2 with the ADL extensions): one
// organisation, one item, one SCO — the whole course is a single sharable content object,
// so the LMS keeps one status and one score per learner and course (decision 0046).

const IMSCP = 'http://www.imsproject.org/xsd/imscp_rootv1p1p2';
const ADLCP = 'http://www.adlnet.org/xsd/adlcp_rootv1p2';
const IMSMD = 'http://www.imsglobal.org/xsd/imsmd_rootv1p2p1';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The manifest for `course`, whose SCO starts at `launch` and consists of `files` (paths in the zip). */
export function scormManifest(course: CatalogCourse, launch: string, files: string[]): string {
  const identifier = `rounds-${course.slug}-${course.version.replaceAll('.', '-')}`;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(IMSCP, 'manifest', {
    identifier,
    version: course.version,
    'xmlns:adlcp': ADLCP,
    'xmlns:xsi': XSI,
    'xsi:schemaLocation': `${IMSCP} imscp_rootv1p1p2.xsd ${IMSMD} imsmd_rootv1p2p1.xsd ${ADLCP} adlcp_rootv1p2.xsd`,
  });
  root.ele('metadata').ele('schema').txt('ADL SCORM').up().ele('schemaversion').txt('1.2');
  const organization = root
    .ele('organizations', { default: 'rounds' })
    .ele('organization', { identifier: 'rounds' })
    .ele('title')
    .txt(course.title)
    .up();
  organization
    .ele('item', { identifier: `item-${course.slug}`, identifierref: `sco-${course.slug}`, isvisible: 'true' })
    .ele('title')
    .txt(course.title);
  const resource = root.ele('resources').ele('resource', {
    identifier: `sco-${course.slug}`,
    type: 'webcontent',
    'adlcp:scormtype': 'sco',
    href: launch,
  });
  for (const href of files) resource.ele('file', { href });
  return root.end({ prettyPrint: true });
}
