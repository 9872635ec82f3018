/**
 * `@tidewater/formats`: the Canal JSON and DTS Avro encoders. Pure functions of a change event
 * and caller-supplied options (ids, clock readings, zone), so the same input always gives the
 * same bytes.
 */
export { createFormat, type FormatName, type FormatOptions, type MessageFormat } from './format';
export { copyToNewBuffer, type CopyValue } from './copy-value';
export { encodeCanalJson, type CanalJsonOptions } from './canal-json/canal-json';
export {
  renderCanalValue,
  type CanalJsonValues,
  type CanalValueOptions,
  type UnsignedSqlTypeRule,
} from './canal-json/canal-value';
export { encodeDtsAvro, type DtsAvroOptions } from './dts-avro/dts-avro';
export {
  decodeDtsAvro,
  dtsAvroSchemaText,
  type DtsRecord,
  type DtsDecodedValue,
} from './dts-avro/schema';
export { confluentFrame } from './confluent-frame';
export { javaStringHashCode } from './java-string-hash';
export { javaDoubleToString, javaFloatToString } from './java-number-text';
