// The public face of this domain: pages, Actions and other domains import only this file.
export { answerQuestion, completeLesson, courseProgress, lessonState, markLessonOpened, today } from './learning.ts';
export { deleteReflection, myReflections, restoreReflection, saveReflection } from './reflections.ts';
