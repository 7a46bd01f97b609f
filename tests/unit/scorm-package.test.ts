// The SCORM 1.2 package (issue 22 §1): its manifest is valid against ADL's SCORM 1.2 schema
// files (tests/fixtures/scorm12/, with their provenance in README.md there), run through
// libxml2's validator (xmllint-wasm), and every file the manifest lists is in the zip.
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { loadCurriculum } from '#lib/content-files.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { fileCatalog } from '#server/kernel/file-catalog.ts';
import { lessonBodyHtml, selfContainedPackage } from '#server/scorm/index.ts';

const catalog = fileCatalog();
const bodies = new Map(loadCurriculum('content').flatMap((c) => c.lessons.map((l) => [`${c.slug}/${l.slug}`, l.body])));
const person = (is_admin: boolean) => ({ id: 'u1', email: 'a@example.org', name: 'Ada', is_admin }) as PublicUser;
const admin = { db: undefined as never, catalog, user: person(true) };

const SCHEMA_DIR = 'tests/fixtures/scorm12';
// libxml2 refuses two things in ADL's files that other validators let pass: ims_xml.xsd binds
// the xml namespace as the default one (the attribute changes nothing, so it is taken out
// here), and imsmd_rootv1p2p1.xsd has content models it finds not deterministic. Our
// manifests carry no IMS metadata (only schema and schemaversion), so imsmd is not loaded.
const schemaFile = (fileName: string) => ({
  fileName,
  contents: readFileSync(`${SCHEMA_DIR}/${fileName}`, 'utf8')
    .replace(/^\uFEFF/, '')
    .replace(' xmlns="http://www.w3.org/XML/1998/namespace"', ''),
});

async function schemaProblems(manifest: string) {
  const result = await validateXML({
    xml: [{ fileName: 'imsmanifest.xml', contents: manifest }],
    schema: [schemaFile('all-namespaces.xsd')],
    preload: ['imscp_rootv1p1p2.xsd', 'adlcp_rootv1p2.xsd', 'ims_xml.xsd'].map(schemaFile),
  });
  return result.errors.map((error) => error.message);
}

describe('the SCORM 1.2 package', () => {
  it.each(catalog.courses.map((course) => course.slug))(
    '%s: a manifest valid against the SCORM 1.2 schemas, listing exactly the files in the zip',
    async (slug) => {
      const { filename, bytes } = await selfContainedPackage(admin, slug, bodies);
      expect(filename).toMatch(new RegExp(`^${slug}-\\d+\\.\\d+\\.\\d+-scorm12\\.zip$`));
      const files = unzipSync(bytes);
      const manifest = strFromU8(files['imsmanifest.xml']!);
      expect(await schemaProblems(manifest)).toEqual([]);
      expect(manifest).toContain('adlcp:scormtype="sco"');
      const listed = [...manifest.matchAll(/<file href="([^"]+)"/g)].map((m) => m[1]);
      expect(listed.sort()).toEqual(
        Object.keys(files)
          .filter((name) => name !== 'imsmanifest.xml')
          .sort(),
      );
      const page = strFromU8(files['index.html']!);
      const course = catalog.course(slug)!;
      expect(page.match(/<section class="lesson"/g)).toHaveLength(course.lessons.length);
      expect(page.match(/<form class="check"/g)).toHaveLength(course.lessons.flatMap((l) => l.check).length);
      // Self-contained: nothing in the SCO reaches outside the zip.
      for (const text of [page, strFromU8(files['sco.js']!), strFromU8(files['sco.css']!)])
        expect(text).not.toMatch(/https?:\/\/|fetch\(|XMLHttpRequest|sendBeacon/);
    },
  );

  it('the validator does refuse a manifest that breaks either schema', async () => {
    const { bytes } = await selfContainedPackage(admin, catalog.courses[0]!.slug, bodies);
    const manifest = strFromU8(unzipSync(bytes)['imsmanifest.xml']!);
    // IMS content packaging: a resource must say its type.
    expect((await schemaProblems(manifest.replace(' type="webcontent"', ''))).join('\n')).toMatch(/'type' is required/);
    // ADL: scormtype is sco or asset.
    expect((await schemaProblems(manifest.replace('scormtype="sco"', 'scormtype="lesson"'))).join('\n')).toMatch(
      /scormtype/,
    );
  });

  it('is the same bytes for the same course', async () => {
    const slug = catalog.courses[0]!.slug;
    const [first, second] = await Promise.all([
      selfContainedPackage(admin, slug, bodies),
      selfContainedPackage(admin, slug, bodies),
    ]);
    expect(first.bytes).toEqual(second.bytes);
  });

  it('is for administrators only, and refuses an unknown course', async () => {
    await expect(
      selfContainedPackage({ ...admin, user: person(false) }, catalog.courses[0]!.slug, bodies),
    ).rejects.toThrow(/Only administrators/);
    await expect(selfContainedPackage(admin, 'no-such-course', bodies)).rejects.toThrow(/No course/);
  });

  it('renders a lesson body: Markdown, the next-shift box as an aside, the huddle timer left out', () => {
    const html = lessonBodyHtml(
      'Some **bold** words.\n\n<HuddleTimer minutes={10} />\n\n<NextShift>\nSay thanks.\n</NextShift>\n',
    );
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toContain('HuddleTimer');
    expect(html).toMatch(/<aside class="next-shift">\s*<h3>On your next shift<\/h3>\s*<p>Say thanks.<\/p>\s*<\/aside>/);
  });
});
