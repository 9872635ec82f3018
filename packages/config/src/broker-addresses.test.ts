import { describe, expect, it } from 'vitest';
import { brokerAddresses } from './task-config';

describe('brokerAddresses', () => {
  it('adds the port to host names and IPv4 addresses that have none', () => {
    expect(brokerAddresses({ hosts: 'kafka1, kafka2:9093,10.0.0.5', port: 9092 })).toEqual([
      'kafka1:9092',
      'kafka2:9093',
      '10.0.0.5:9092',
    ]);
  });

  it('keeps the port of a bracketed IPv6 address', () => {
    expect(brokerAddresses({ hosts: '[::1]:9094', port: 9092 })).toEqual(['[::1]:9094']);
    expect(brokerAddresses({ hosts: '[fd00::5]:19092,[fd00::6]', port: 9092 })).toEqual([
      '[fd00::5]:19092',
      '[fd00::6]:9092',
    ]);
  });

  it('brackets a bare IPv6 address and gives it the port', () => {
    expect(brokerAddresses({ hosts: '::1, fd00::5', port: 9094 })).toEqual([
      '[::1]:9094',
      '[fd00::5]:9094',
    ]);
  });

  it('skips empty entries between commas', () => {
    expect(brokerAddresses({ hosts: 'kafka1,, ,kafka2', port: 9092 })).toEqual([
      'kafka1:9092',
      'kafka2:9092',
    ]);
  });
});
