// SCORM 1.2 export (issue 22 §1), with a real SCORM runtime: an administrator downloads a
// course's self-contained package from Administration; a test LMS page served here hosts it
// with scorm-again (a maintained SCORM 1.2 runtime) as window.API, launches the SCO in a
// frame, and — with every request to Rounds refused — the learner works through every
// lesson and check on a phone. The runtime then holds lesson_status "completed", the score
// from the checks (one answer wrong on purpose), a session time, and the LMS received the
// commits. The SCO passes axe. A learner cannot download a package, nor anyone signed
// out. The first account of an install is its administrator, so this spec runs its own
// Rounds on a fresh database.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import {
  curriculum,
  expect,
  expectNoSeriousAxeFindings,
  newPerson,
  ONE_AT_A_TIME,
  signUp,
  startOwnServer,
  test,
} from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 22;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
let lms: Server | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'scorm');
});
test.afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => (lms ? lms.close(resolve) : resolve(undefined)));
});

const LMS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test LMS</title>
<style>body{margin:0;font-family:sans-serif}header{padding:.4rem .8rem;background:#333;color:#fff}
iframe{border:0;width:100%;height:calc(100vh - 2.5rem)}</style>
<script src="/scorm12.js"></script>
<script>
  window.API = new Scorm12API({ lmsCommitUrl: '/commit', autocommit: false, logLevel: 5 });
  window.API.loadFromJSON({ core: { student_id: 'HS-1001', student_name: 'Okafor, Sam' } });
  // session_time is write-only in the data model: the LMS sees it as it is set.
  window.API.on('LMSSetValue.cmi.core.session_time', (element, value) => (window.sessionTime = value));
</script></head>
<body><header>Test LMS: assigned course</header><iframe title="Course" src="/sco/index.html"></iframe></body></html>`;

/** The test LMS: its page, scorm-again, the unzipped package under /sco/, and a commit endpoint that keeps what it gets. */
async function startLms(files: Record<string, Uint8Array>, commits: string[]): Promise<string> {
  const runtime = readFileSync(path.resolve('node_modules/scorm-again/dist/scorm12.js'));
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css', xml: 'text/xml' };
  lms = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://lms');
    if (request.method === 'POST' && url.pathname === '/commit') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        commits.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":true,"errorCode":0}');
      });
      return;
    }
    const file =
      url.pathname === '/'
        ? Buffer.from(LMS_PAGE)
        : url.pathname === '/scorm12.js'
          ? runtime
          : url.pathname.startsWith('/sco/')
            ? files[url.pathname.slice('/sco/'.length)]
            : undefined;
    if (!file) return void response.writeHead(404).end();
    const type =
      types[url.pathname === '/' ? 'html' : (url.pathname.split('.').pop() ?? '')] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(file);
  });
  await new Promise<void>((resolve) => lms!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(lms.address() as AddressInfo).port}`;
}

test('an administrator downloads a SCORM package; scorm-again runs it offline to completed with the check score', async ({
  page,
  openContext,
}) => {
  test.setTimeout(120_000);
  const course = curriculum().find((c) => c.slug === 'team-huddles')!;
  const questions = course.lessons.flatMap((lesson) => lesson.check);

  await signUp(page, newPerson('Ada Admin', 'admin'));
  await page.goto('/admin');
  await page.getByRole('link', { name: 'SCORM packages' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'SCORM packages' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('admin-scorm.png'), fullPage: true });
  await expectNoSeriousAxeFindings(page);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: course.title }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^team-huddles-\d+\.\d+\.\d+-scorm12\.zip$/);
  const files = unzipSync(readFileSync(await download.path()));
  expect(strFromU8(files['imsmanifest.xml']!)).toContain('<schemaversion>1.2</schemaversion>');

  // A learner is refused the download.
  const learner = await (await openContext()).newPage();
  await signUp(learner, newPerson('Lee Learner', 'learner'));
  expect((await learner.request.get(`/admin/scorm/${course.slug}.zip`)).status()).toBe(403);
  const signedOut = await openContext();
  expect((await signedOut.request.get(`/admin/scorm/${course.slug}.zip`)).status()).toBe(401);

  // The LMS, with Rounds cut off: any request to it fails, and is counted.
  const commits: string[] = [];
  const lmsUrl = await startLms(files, commits);
  const context = await openContext();
  const calledHome: string[] = [];
  await context.route(`${server!.baseUrl}/**`, (route) => {
    calledHome.push(route.request().url());
    return route.abort();
  });
  const lmsPage = await context.newPage();
  await lmsPage.goto(lmsUrl);
  const sco = lmsPage.frameLocator('iframe[title="Course"]');
  await expect(sco.getByRole('heading', { level: 2, name: course.lessons[0]!.title })).toBeVisible();
  expect(await lmsPage.evaluate(() => window.API.cmi.core.lesson_status)).toBe('incomplete');
  await lmsPage.screenshot({ path: test.info().outputPath('scorm-in-test-lms.png') });
  await expectNoSeriousAxeFindings(lmsPage, 'the SCO in the test LMS');

  for (const [index, lesson] of course.lessons.entries()) {
    const section = sco.getByRole('region', { name: lesson.title });
    await expect(section.getByText(`Lesson ${index + 1} of ${course.lessons.length}`)).toBeVisible();
    for (const [q, check] of lesson.check.entries()) {
      // The very first question is answered wrong first (the score counts first answers), then right.
      const choices = index === 0 && q === 0 ? [check.options.find((o) => !o.correct)!] : [];
      choices.push(check.options.find((o) => o.correct)!);
      const group = section.getByRole('group', { name: check.question });
      const form = group.locator('xpath=..');
      for (const choice of choices) {
        await group.getByRole('radio', { name: choice.text }).check();
        await form.getByRole('button', { name: 'Check answer' }).click();
        await expect(form.getByRole('status')).toContainText(choice.correct ? 'Correct.' : 'Not this one.');
      }
    }
    if (index < course.lessons.length - 1) {
      expect(await lmsPage.evaluate(() => window.API.cmi.core.lesson_status)).toBe('incomplete');
      await section.getByRole('button', { name: 'Next lesson' }).click();
    }
  }
  await expect(sco.getByText('Course complete. Your result has been recorded.')).toBeVisible();
  await sco.getByRole('button', { name: 'Save and exit' }).click();
  await expect(sco.getByText('Your progress is saved. You can close this window.')).toBeVisible();
  await lmsPage.screenshot({ path: test.info().outputPath('scorm-finished.png') });

  const cmi = await lmsPage.evaluate(() => ({
    status: window.API.cmi.core.lesson_status,
    raw: window.API.cmi.core.score.raw,
    session: window.sessionTime,
    student: window.API.cmi.core.student_id,
  }));
  expect(cmi.status).toBe('completed');
  expect(cmi.raw).toBe(String(Math.round(((questions.length - 1) / questions.length) * 100)));
  expect(cmi.session).toMatch(/^\d{4}:\d{2}:\d{2}(\.\d{1,2})?$/);
  expect(cmi.student).toBe('HS-1001');
  expect(commits.length).toBeGreaterThan(course.lessons.length);
  // What the LMS stored at the last commit (LMSFinish): the same status, score and time.
  const stored = (JSON.parse(commits.at(-1)!) as { cmi: { core: Record<string, unknown> } }).cmi.core;
  expect(stored).toMatchObject({ lesson_status: 'completed', score: { raw: cmi.raw, min: '0', max: '100' } });
  expect(stored.session_time).not.toMatch(/^0+:00:00(\.0+)?$/);
  expect(calledHome).toEqual([]);
});

declare global {
  interface Window {
    API: { cmi: { core: { lesson_status: string; student_id: string; score: { raw: string } } } };
    sessionTime?: string;
  }
}
