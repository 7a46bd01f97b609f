// Short codes people read off slides or paper and type on phones: event codes,
// team invites, certificate codes. No I/O.

// No 0/O, 1/I/L: nothing that reads as another symbol.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export type RandomBytes = (bytes: number) => Uint8Array;
export const cryptoRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/** `length` symbols, every one equally likely (rejection sampling). */
export function randomSymbols(length: number, random: RandomBytes = cryptoRandom): string {
  const limit = 256 - (256 % ALPHABET.length);
  let symbols = '';
  while (symbols.length < length) {
    for (const byte of random(16)) {
      if (byte < limit && symbols.length < length) symbols += ALPHABET[byte % ALPHABET.length];
    }
  }
  return symbols;
}

/** What people type ("abcd-efgh", " abc def ") to bare upper-case symbols, or undefined unless exactly `length` valid ones. */
export function typedSymbols(input: string, length: number, prefix = ''): string | undefined {
  let symbols = input.toUpperCase().replace(/[\s-]/g, '');
  if (prefix && symbols.startsWith(prefix)) symbols = symbols.slice(prefix.length);
  if (symbols.length !== length || [...symbols].some((ch) => !ALPHABET.includes(ch))) return undefined;
  return symbols;
}
