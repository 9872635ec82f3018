/**
 * Java's `Double.toString` and `Float.toString`, which Canal uses for FLOAT and DOUBLE values
 * (Canal `LogEventConvert` calls `String.valueOf` on the `Float`/`Double` the binlog parser
 * returned), so Canal JSON consumers see `"1.0E-4"`, `"1.2345678E7"`, `"100.0"`.
 *
 * The digits follow the JDK 19+ specification of `Double.toString(double)` /
 * `Float.toString(float)` (javadoc, "How many digits must be printed"): the shortest decimal
 * that rounds back to the value, the one closest to it when several have that length, and when
 * the shortest has one digit a two-digit decimal is preferred if it is closer. JDK 8–18 used an
 * older algorithm that, for a small set of values, printed one digit more than needed
 * (JDK-4511638); see the compatibility table in the package README.
 *
 * The layout is the same in all JDKs: plain notation with at least one fraction digit when
 * 10^-3 <= |x| < 10^7, otherwise `d.dddE<exponent>` with at least one fraction digit.
 */

/** `Double.toString(x)` for a JavaScript number (an IEEE double). */
export function javaDoubleToString(x: number): string {
  const special = specialText(x);
  if (special !== null) return special;
  // toExponential() without an argument gives the shortest round-tripping digits, closest
  // to x among those of that length (ECMAScript Number::toString rules).
  let text = x.toExponential();
  if (shortestDigitCount(text) === 1) {
    // Java prefers a closer two-digit decimal when the shortest one has a single digit
    // (Double.MIN_VALUE prints as 4.9E-324, not 5.0E-324).
    const two = x.toExponential(1);
    if (Number(two) === x) text = two;
  }
  return layoutJava(text);
}

/** `Float.toString(f)` for a number that holds a float32 value (as `Math.fround` returns). */
export function javaFloatToString(x: number): string {
  const special = specialText(x);
  if (special !== null) return special;
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const text = closestFloatDecimal(f, digits);
    if (text === null) continue;
    if (digits === 1) {
      const two = f.toExponential(1);
      if (Math.fround(Number(two)) === f) return layoutJava(two);
    }
    return layoutJava(text);
  }
  // Nine significant digits always identify a float32; not reached.
  return layoutJava(f.toExponential(8));
}

function specialText(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  return null;
}

/**
 * The decimal of `digits` significant digits that rounds (as a float32) to `f` and lies
 * closest to it, or null when none does. The correctly rounded decimal is the closest one,
 * but at a power of two the rounding interval is narrower below than above, so its
 * neighbours one unit in the last digit away are tried too.
 */
function closestFloatDecimal(f: number, digits: number): string | null {
  const rounded = f.toExponential(digits - 1);
  if (Math.fround(Number(rounded)) === f) return rounded;
  const { mantissa, exponent } = splitExponential(rounded);
  const negative = mantissa.startsWith('-');
  const unsignedDigits = (negative ? mantissa.slice(1) : mantissa).replace('.', '');
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const step of [-1n, 1n]) {
    const value = BigInt(unsignedDigits) + step;
    let candidateDigits = value.toString();
    let candidateExponent = exponent;
    if (candidateDigits.length > digits) {
      candidateDigits = candidateDigits.slice(0, digits);
      candidateExponent += 1;
    } else if (candidateDigits.length < digits || value === 0n) {
      continue;
    }
    const candidate = `${negative ? '-' : ''}${candidateDigits[0]}${
      digits > 1 ? '.' + candidateDigits.slice(1) : ''
    }e${candidateExponent}`;
    const parsed = Number(candidate);
    if (Math.fround(parsed) !== f) continue;
    const distance = Math.abs(parsed - f);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function splitExponential(text: string): { mantissa: string; exponent: number } {
  const e = text.indexOf('e');
  return { mantissa: text.slice(0, e), exponent: Number(text.slice(e + 1)) };
}

function shortestDigitCount(text: string): number {
  const { mantissa } = splitExponential(text);
  return mantissa.replace('-', '').replace('.', '').length;
}

/** Lays out JavaScript exponential text (`-1.2345e+7`) the way Java's toString does. */
function layoutJava(text: string): string {
  const { mantissa, exponent } = splitExponential(text);
  const negative = mantissa.startsWith('-');
  let digits = (negative ? mantissa.slice(1) : mantissa).replace('.', '');
  // Trailing zeros carry no information (a two-digit candidate may end in one).
  digits = digits.replace(/0+$/, '');
  if (digits === '') digits = '0';
  const sign = negative ? '-' : '';
  if (exponent >= -3 && exponent < 7) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1);
      return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const fraction = digits.slice(1);
  return `${sign}${digits[0]}.${fraction === '' ? '0' : fraction}E${exponent}`;
}
