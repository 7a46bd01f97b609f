/** "1 person", "3 people", "0 lessons": a count with the word that agrees with it. */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
