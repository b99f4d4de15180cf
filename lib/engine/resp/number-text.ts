/**
 * Decimal text of a number as the encoder sends it: `String(n)`, except integers of 1e21 or more
 * in magnitude, which are written out in full (no exponent). Shared by the encoder and the slot
 * hash (a number key must hash as the text it is sent as).
 */
export function numberText(n: number): string {
  if (Number.isInteger(n) && (n >= 1e21 || n <= -1e21)) return BigInt(n).toString();
  return String(n);
}
