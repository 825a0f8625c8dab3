// Redis glob matching, a line-by-line port of stringmatchlen() in Redis 7's util.c, on bytes:
// * ? [abc] [^a-z] and \ escapes, with the same edge cases (an unterminated class ends at the
// pattern's end, a range may end in ']') and the same guard against exponential backtracking.

/** True when `subject` matches the Redis glob `pattern`. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  const state = { skipLongerMatches: false };
  return matchImpl(pattern, 0, subject, 0, nocase, state, 0);
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

function matchImpl(
  p: Uint8Array,
  pi: number,
  s: Uint8Array,
  si: number,
  nocase: boolean,
  state: { skipLongerMatches: boolean },
  nesting: number,
): boolean {
  if (nesting > 1000) return false; // protection against abusive patterns
  const pEnd = p.length;
  const sEnd = s.length;
  while (pi < pEnd && si < sEnd) {
    const c = p[pi]!;
    if (c === 42 /* * */) {
      while (pi + 1 < pEnd && p[pi + 1] === 42) pi++;
      if (pi + 1 === pEnd) return true;
      while (si < sEnd) {
        if (matchImpl(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
        si++;
      }
      state.skipLongerMatches = true;
      return false;
    } else if (c === 63 /* ? */) {
      si++;
    } else if (c === 91 /* [ */) {
      pi++;
      const not = p[pi] === 94; /* ^ */
      if (not) pi++;
      let match = false;
      const sc = s[si]!;
      for (;;) {
        const left = pEnd - pi;
        if (p[pi] === 92 /* \ */ && left >= 2) {
          pi++;
          if (p[pi] === sc) match = true;
        } else if (left > 0 && p[pi] === 93 /* ] */) {
          break;
        } else if (left <= 0) {
          pi--;
          break;
        } else if (left >= 3 && p[pi + 1] === 45 /* - */) {
          let start = p[pi]!;
          let end = p[pi + 2]!;
          let ch = sc;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          pi += 2;
          if (ch >= start && ch <= end) match = true;
        } else if (nocase ? lower(p[pi]!) === lower(sc) : p[pi] === sc) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
    } else {
      if (c === 92 /* \ */ && pEnd - pi >= 2) pi++;
      const lit = p[pi]!;
      if (nocase ? lower(lit) !== lower(s[si]!) : lit !== s[si]) return false;
      si++;
    }
    pi++;
    if (si === sEnd) {
      while (pi < pEnd && p[pi] === 42) pi++;
      break;
    }
  }
  // Unlike stringmatchlen, stars also match an empty subject ("*" matches the empty key), which is
  // what KEYS and SCAN do in Redis (they skip matching for a lone "*").
  if (si === sEnd) while (pi < pEnd && p[pi] === 42) pi++;
  return pi >= pEnd && si === sEnd;
}
