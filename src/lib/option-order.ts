// The order a knowledge check shows its options in. Authors write the right answer
// anywhere (often first); showing that order would teach "always pick the first".
// The order is fixed per question (a hash of its text), so the prerendered page, the
// island and every visit agree, and option numbers stay the authored ones.

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The authored indexes of `options`, in the order to show them. */
export function optionOrder(question: string, options: { text: string }[]): number[] {
  return options
    .map((option, index) => ({ index, key: hash(`${question}\u0000${option.text}`) }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map((o) => o.index);
}
