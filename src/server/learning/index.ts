// The public face of this domain: pages, Actions and other domains import only this file.
export { answerQuestion, completeLesson, lessonState, markLessonOpened, today } from './learning.ts';
export { deleteReflection, listReflections, restoreReflection, saveReflection } from './reflections-repo.ts';
