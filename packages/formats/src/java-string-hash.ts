/**
 * Java's `String.hashCode()`, bit for bit: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units
 * in 32-bit two's-complement arithmetic (`java.lang.String` javadoc). DTS documents that its
 * Kafka partition policies hash with it, and Canal's partitioner does too (`MQMessageUtils`).
 * JavaScript strings are UTF-16 as well, so `charCodeAt` yields the same code units.
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}
