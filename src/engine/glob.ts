// Redis glob matching (stringmatchlen in util.c): * ? [abc] [^a-z] and \ escapes, on bytes.

/** True when `subject` matches the Redis glob `pattern`. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  return matchFrom(pattern, 0, subject, 0, nocase, 0);
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

function matchFrom(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false; // Redis bounds recursion too (nesting of '*').
  while (pi < p.length && si < s.length) {
    const c = p[pi]!;
    if (c === 42 /* * */) {
      while (pi + 1 < p.length && p[pi + 1] === 42) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) {
        if (matchFrom(p, pi + 1, s, k, nocase, depth + 1)) return true;
      }
      return false;
    }
    if (c === 63 /* ? */) {
      pi++;
      si++;
      continue;
    }
    if (c === 91 /* [ */) {
      pi++;
      const not = p[pi] === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      const sc = nocase ? lower(s[si]!) : s[si]!;
      while (pi < p.length && p[pi] !== 93 /* ] */) {
        if (p[pi] === 92 /* \ */ && pi + 1 < p.length) {
          pi++;
          if ((nocase ? lower(p[pi]!) : p[pi]) === sc) matched = true;
          pi++;
        } else if (pi + 2 < p.length && p[pi + 1] === 45 /* - */ && p[pi + 2] !== 93) {
          let start = nocase ? lower(p[pi]!) : p[pi]!;
          let end = nocase ? lower(p[pi + 2]!) : p[pi + 2]!;
          if (start > end) [start, end] = [end, start];
          if (sc >= start && sc <= end) matched = true;
          pi += 3;
        } else {
          if ((nocase ? lower(p[pi]!) : p[pi]) === sc) matched = true;
          pi++;
        }
      }
      if (pi >= p.length) pi = p.length; // unterminated class: Redis treats the end as ']'
      else pi++; // skip ']'
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      continue;
    }
    let lit = c;
    if (c === 92 /* \ */ && pi + 1 < p.length) lit = p[++pi]!;
    if (nocase ? lower(lit) !== lower(s[si]!) : lit !== s[si]) return false;
    pi++;
    si++;
  }
  if (si < s.length) return false;
  while (pi < p.length && p[pi] === 42) pi++;
  return pi === p.length;
}
