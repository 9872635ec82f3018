import { describe, expect, it } from 'vitest';
import { javaDoubleToString, javaFloatToString } from './java-number-text';
import { javaStringHashCode } from './java-string-hash';

describe('javaDoubleToString', () => {
  it.each([
    [1.1, '1.1'],
    [100, '100.0'],
    [0.0001, '1.0E-4'],
    [0.001, '0.001'],
    [1.2345678e7, '1.2345678E7'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1.0E21'],
    [123456789012345680000, '1.2345678901234568E20'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [Number.MIN_VALUE, '4.9E-324'],
    [2.2250738585072014e-308, '2.2250738585072014E-308'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('prints %s as %s', (x, text) => {
    expect(javaDoubleToString(x)).toBe(text);
  });
});

describe('javaFloatToString', () => {
  it.each([
    [0.1, '0.1'],
    [1.1, '1.1'],
    [100, '100.0'],
    [0.0001, '1.0E-4'],
    [1.2345678e7, '1.2345678E7'],
    [3.4028234663852886e38, '3.4028235E38'],
    [1.401298464324817e-45, '1.4E-45'],
    // Float.MIN_NORMAL: JDK 19+ prints the shortest digits; JDK 8–18 printed 1.17549435E-38.
    [1.1754943508222875e-38, '1.1754944E-38'],
    [16777216, '1.6777216E7'],
    [3.14159, '3.14159'],
    [-0.3, '-0.3'],
    [1e10, '1.0E10'],
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
  ])('prints float32 %s as %s', (x, text) => {
    expect(javaFloatToString(Math.fround(x))).toBe(text);
  });

  it('round-trips every sampled float32 through its shortest text', () => {
    const view = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < 20000; i++) {
      view.setUint32(0, (Math.imul(i, 2654435761) >>> 0) & 0x7f7fffff);
      const f = view.getFloat32(0);
      if (!Number.isFinite(f)) continue;
      expect(Math.fround(Number(javaFloatToString(f)))).toBe(f);
    }
  });
});

describe('javaStringHashCode', () => {
  it.each([
    ['', 0],
    ['a', 97],
    ['hello', 99162322],
    ['polygenelubricants', -2147483648],
    ['你好', 652829],
  ])('hashes %j to %i like java.lang.String', (s, h) => {
    expect(javaStringHashCode(s)).toBe(h);
  });

  it('matches the javadoc sum s[0]*31^(n-1) + … + s[n-1] taken modulo 2^32 as a signed int', () => {
    for (const s of ['shop.orders', 'shop', '42', '🙂 emoji', 'x'.repeat(100)]) {
      let sum = 0n;
      for (let i = 0; i < s.length; i++) sum = sum * 31n + BigInt(s.charCodeAt(i));
      expect(javaStringHashCode(s)).toBe(Number(BigInt.asIntN(32, sum)));
    }
  });
});
