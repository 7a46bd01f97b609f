// The app the bench measures: this checkout's sources plus copies of the real courses
// under new slugs, ten courses in all, so the 500-member team can hold the ten
// assignments the benchmark asks for (a team has one assignment per course). It is
// built in its own folder, so the checkout's dist/ is never touched.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { buildIfNeeded, root } from './server.ts';

export const benchAppDir = path.join(root, 'tests/.output/bench/app');
export const BENCH_COURSES = 10;

export function prepareBenchApp(log: (line: string) => void): void {
  mkdirSync(benchAppDir, { recursive: true });
  // Timestamps are kept, so an unchanged checkout is not built again.
  for (const item of ['src', 'db', 'bin', 'public', 'content', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
    rmSync(path.join(benchAppDir, item), { recursive: true, force: true });
    cpSync(path.join(root, item), path.join(benchAppDir, item), { recursive: true, preserveTimestamps: true });
  }
  const modules = path.join(benchAppDir, 'node_modules');
  if (!existsSync(modules)) symlinkSync(path.join(root, 'node_modules'), modules, 'dir');

  const contentDir = path.join(root, 'content');
  const courses = readdirSync(contentDir)
    .filter((name) => existsSync(path.join(contentDir, name, 'course.yaml')))
    .sort();
  for (let index = courses.length; index < BENCH_COURSES; index++) {
    const source = path.join(contentDir, courses[index % courses.length]!);
    const target = path.join(benchAppDir, 'content', `${path.basename(source)}-copy-${index}`);
    mkdirSync(target);
    for (const name of readdirSync(source)) {
      let text = readFileSync(path.join(source, name), 'utf8');
      if (name === 'course.yaml') text = text.replace(/^title: (.*)$/m, `title: $1 (copy ${index})`);
      // Lesson slugs are unique across the curriculum: 01-serve-first.mdx → 01-serve-first-c4.mdx.
      const copyName = name.replace(/\.mdx$/, `-c${index}.mdx`);
      writeFileSync(path.join(target, copyName), text);
      const { atime, mtime } = statSync(path.join(source, name));
      utimesSync(path.join(target, copyName), atime, mtime);
    }
  }
  buildIfNeeded(log, benchAppDir);
}
