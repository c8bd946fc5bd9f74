// Money is integer cents on the socket and yuan on the screen, converted
// exactly: text is parsed digit by digit, never through a float.

/** "20.5" → 2050; null for anything that is not an amount of yuan. */
export function centsOf(text) {
  const match = /^\s*(\d{1,8})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const fraction = (match[2] || '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(fraction);
}

/** 2050 → "20.50", -5 → "-0.05". */
export function yuan(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
