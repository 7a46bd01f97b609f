// The script inside the self-contained SCO. It runs in the LMS's browser, not in Rounds:
// `scoRuntimeSource` is its text, written into the package as sco.js. It finds the SCORM 1.2
// API (the ADL discovery walk up window.parent, then window.opener), keeps the learner's
// place in cmi.suspend_data, and reports the same data model as the launch variant would:
// lesson_status incomplete → completed once every lesson is opened and every check
// question answered, score.raw the share of check questions right at the first answer,
// and session_time at the end (decision 0046). It has no network calls of its own.

interface ScormApi {
  LMSInitialize(arg: ''): string;
  LMSFinish(arg: ''): string;
  LMSGetValue(element: string): string;
  LMSSetValue(element: string, value: string): string;
  LMSCommit(arg: ''): string;
}

type ApiWindow = Window & { API?: ScormApi };

function scoRuntime(): void {
  function findApi(start: Window): ScormApi | undefined {
    let win = start as ApiWindow;
    for (let hops = 0; !win.API && win.parent && win.parent !== win && hops < 500; hops++) {
      win = win.parent as ApiWindow;
    }
    return win.API;
  }
  const api: ScormApi | undefined =
    findApi(window) ?? (window.opener ? findApi(window.opener as Window) : undefined) ?? undefined;
  const started = Date.now();
  const lessons = Array.from(document.querySelectorAll<HTMLElement>('section.lesson'));
  const checks = Array.from(document.querySelectorAll<HTMLFormElement>('form.check'));
  const status = document.getElementById('sco-status')!;
  let finished = false;

  // v: lessons opened (their positions), a: check question id → 1 right / 0 not, at first answer.
  let state: { v: number[]; a: Record<string, number> } = { v: [], a: {} };
  if (api) {
    api.LMSInitialize('');
    try {
      const saved = JSON.parse(api.LMSGetValue('cmi.suspend_data') || '{}') as Partial<typeof state>;
      state = { v: Array.isArray(saved.v) ? saved.v : [], a: saved.a && typeof saved.a === 'object' ? saved.a : {} };
    } catch {
      // A package of another version left something else here: start afresh.
    }
    const before = api.LMSGetValue('cmi.core.lesson_status');
    if (before === 'not attempted' || before === '') api.LMSSetValue('cmi.core.lesson_status', 'incomplete');
  } else {
    status.textContent = 'No learning system found: your progress in this window is not recorded.';
  }

  function complete(): boolean {
    return lessons.every((_, i) => state.v.includes(i)) && checks.every((form) => form.dataset.question! in state.a);
  }

  function report(): void {
    if (!api || finished) return;
    const answered = Object.keys(state.a).length;
    if (answered > 0) {
      const right = Object.values(state.a).filter((value) => value === 1).length;
      api.LMSSetValue('cmi.core.score.min', '0');
      api.LMSSetValue('cmi.core.score.max', '100');
      api.LMSSetValue('cmi.core.score.raw', String(Math.round((right / checks.length) * 100)));
    }
    api.LMSSetValue('cmi.suspend_data', JSON.stringify(state));
    if (complete()) api.LMSSetValue('cmi.core.lesson_status', 'completed');
    api.LMSCommit('');
  }

  function show(index: number): void {
    lessons.forEach((lesson, i) => {
      lesson.hidden = i !== index;
    });
    if (!state.v.includes(index)) state.v.push(index);
    if (api && !finished) api.LMSSetValue('cmi.core.lesson_location', String(index));
    report();
    const heading = lessons[index]!.querySelector('h2');
    heading?.focus();
    status.textContent = complete() ? 'Course complete. Your result has been recorded.' : '';
  }

  function sessionTime(): string {
    const centis = Math.floor((Date.now() - started) / 10);
    const two = (n: number) => String(n).padStart(2, '0');
    const hours = Math.floor(centis / 360000);
    const minutes = Math.floor(centis / 6000) % 60;
    const seconds = Math.floor(centis / 100) % 60;
    return `${String(hours).padStart(4, '0')}:${two(minutes)}:${two(seconds)}.${two(centis % 100)}`;
  }

  function finish(): void {
    if (!api || finished) return;
    report();
    api.LMSSetValue('cmi.core.session_time', sessionTime());
    api.LMSSetValue('cmi.core.exit', complete() ? '' : 'suspend');
    api.LMSCommit('');
    api.LMSFinish('');
    finished = true;
  }

  document.querySelectorAll<HTMLButtonElement>('button[data-go]').forEach((button) => {
    button.addEventListener('click', () => show(Number(button.dataset.go)));
  });
  for (const form of checks) {
    const id = form.dataset.question!;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>('input[type=radio]:checked');
      const message = form.querySelector<HTMLElement>('.feedback')!;
      if (!chosen) {
        message.textContent = 'Choose an answer first.';
        return;
      }
      const right = chosen.value === form.dataset.correct;
      if (!(id in state.a)) state.a[id] = right ? 1 : 0;
      const feedback = form.querySelector<HTMLTemplateElement>(`template[data-option="${chosen.value}"]`)!;
      message.textContent = `${right ? 'Correct.' : 'Not this one.'} ${feedback.content.textContent ?? ''}`;
      report();
      status.textContent = complete() ? 'Course complete. Your result has been recorded.' : '';
    });
  }
  document.getElementById('sco-finish')!.addEventListener('click', () => {
    finish();
    status.textContent = 'Your progress is saved. You can close this window.';
  });
  window.addEventListener('pagehide', finish);
  const resume = Number(api?.LMSGetValue('cmi.core.lesson_location') ?? '0');
  show(Number.isInteger(resume) && resume >= 0 && resume < lessons.length ? resume : 0);
}

/** The runtime's source, as the package's sco.js. */
export const scoRuntimeSource = `'use strict';\n(${scoRuntime.toString()})();\n`;
