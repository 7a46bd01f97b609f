import { Marked } from 'marked';
import type { CatalogCourse } from '#lib/catalog.ts';
import { escapeHtml } from '#lib/escape-html.ts';

// The self-contained SCO (variant B of issue 22 §1): every lesson's text and checks in one
// page inside the zip, for LMSs that refuse remote content. The lesson text is the MDX
// body rendered as Markdown; the two components the lessons use become plain HTML (the
// "On your next shift" box) or are left out (the huddle timer needs Rounds's island).

const markdown = new Marked({ gfm: true, async: false });

/** A lesson's MDX body as HTML: Markdown, with <NextShift> as an aside and <HuddleTimer /> dropped. */
export function lessonBodyHtml(body: string): string {
  const plain = body
    .replace(/<HuddleTimer\b[^>]*\/>/g, '')
    .replace(/<NextShift>/g, '<aside class="next-shift">\n\n<h3>On your next shift</h3>\n\n')
    .replace(/<\/NextShift>/g, '\n\n</aside>');
  return markdown.parse(plain) as string;
}

function checkHtml(lessonIndex: number, question: CatalogCourse['lessons'][number]['check'][number]): string {
  const name = `q-${lessonIndex}-${question.id}`;
  const correct = question.options.findIndex((option) => option.correct);
  const options = question.options
    .map(
      (option, i) =>
        `<label class="option"><input type="radio" name="${name}" value="${i}"> ${escapeHtml(option.text)}</label>` +
        `<template data-option="${i}">${escapeHtml(option.feedback)}</template>`,
    )
    .join('\n');
  return `<form class="check" data-question="${escapeHtml(`${lessonIndex}:${question.id}`)}" data-correct="${correct}">
<fieldset><legend>${escapeHtml(question.question)}</legend>
${options}
</fieldset>
<button type="submit">Check answer</button>
<p class="feedback" role="status"></p>
</form>`;
}

/** The SCO's page: the course's lessons, one shown at a time, with their checks. */
export function scoPage(course: CatalogCourse, bodies: ReadonlyMap<string, string>): string {
  const count = course.lessons.length;
  const sections = course.lessons.map((lesson, i) => {
    const body = bodies.get(`${course.slug}/${lesson.slug}`) ?? '';
    const nav = [
      i > 0 ? `<button type="button" data-go="${i - 1}">Previous lesson</button>` : '',
      i < count - 1 ? `<button type="button" data-go="${i + 1}">Next lesson</button>` : '',
    ].join('');
    return `<section class="lesson" aria-labelledby="lesson-${i}" hidden>
<p class="position">Lesson ${i + 1} of ${count}</p>
<h2 id="lesson-${i}" tabindex="-1">${escapeHtml(lesson.title)}</h2>
${lessonBodyHtml(body)}
<h3>Check your understanding</h3>
${lesson.check.map((question) => checkHtml(i, question)).join('\n')}
<nav class="lesson-nav" aria-label="Lessons">${nav}</nav>
</section>`;
  });
  const contents = course.lessons
    .map((lesson, i) => `<li><button type="button" data-go="${i}">${escapeHtml(lesson.title)}</button></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(course.title)}</title>
<link rel="stylesheet" href="sco.css">
</head>
<body>
<header><p class="brand">Rounds</p><h1>${escapeHtml(course.title)}</h1></header>
<main>
<details class="contents"><summary>All ${count} lessons</summary><ol>${contents}</ol></details>
${sections.join('\n')}
<p id="sco-status" role="status"></p>
<button type="button" id="sco-finish">Save and exit</button>
</main>
<script src="sco.js"></script>
</body>
</html>
`;
}

export const scoStyles = `body{font:1.05rem/1.6 system-ui,sans-serif;margin:0;color:#1c2321;background:#fbfaf7}
header{background:#1f5c4d;color:#fff;padding:.8rem 1rem}header h1{margin:.2rem 0;font-size:1.35rem}
.brand{margin:0;font-weight:700;letter-spacing:.04em}main{max-width:40rem;margin:0 auto;padding:1rem}
.position{color:#4a5753;margin:0}h2:focus{outline:none}
.next-shift{border-left:6px solid #1f5c4d;background:#e6f0ec;padding:.2rem 1rem;margin:1.5rem 0}
fieldset{border:1px solid #b7c2be;border-radius:8px;margin:1rem 0}legend{font-weight:600;padding:0 .3rem}
.option{display:block;padding:.35rem 0}button{font:inherit;padding:.5rem .9rem;border-radius:8px;
border:2px solid #1f5c4d;background:#fff;color:#1f5c4d;margin:.25rem .5rem .25rem 0;min-height:44px}
button[type=submit],#sco-finish{background:#1f5c4d;color:#fff}.feedback{min-height:1.5em}
.contents ol{padding-left:1.2rem}.contents button{border:0;padding:.2rem 0;text-align:left;text-decoration:underline}
`;
