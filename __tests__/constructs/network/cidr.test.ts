import { describe, expect, it } from 'vitest';
import {
  contains,
  formatCidr,
  isPrivate,
  mustParseCidr,
  overlaps,
  parseCidr,
} from '../../../constructs/network/cidr';

describe('parseCidr', () => {
  it('round-trips a valid block', () => {
    expect(formatCidr(mustParseCidr('10.20.32.0/19'))).toBe('10.20.32.0/19');
    expect(formatCidr(mustParseCidr('255.255.255.255/32'))).toBe('255.255.255.255/32');
  });

  it('rejects malformed text, octets above 255, long prefixes and host bits', () => {
    expect(parseCidr('10.0.0.0')).toMatch(/not an IPv4 CIDR/);
    expect(parseCidr('10.0.256.0/24')).toMatch(/octet above 255/);
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length above 32/);
    expect(parseCidr('10.0.0.1/24')).toBe('has host bits set (the network address is 10.0.0.0/24)');
  });
});

describe('overlaps and contains', () => {
  it('detects overlapping and disjoint blocks', () => {
    expect(overlaps(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.0.255.0/24'))).toBe(true);
    expect(overlaps(mustParseCidr('10.0.0.0/24'), mustParseCidr('10.0.1.0/24'))).toBe(false);
  });

  it('contains only blocks fully inside', () => {
    expect(contains(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.0.128.0/17'))).toBe(true);
    expect(contains(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.0.0.0/15'))).toBe(false);
  });

  it('knows the RFC 1918 ranges', () => {
    expect(isPrivate(mustParseCidr('172.31.0.0/16'))).toBe(true);
    expect(isPrivate(mustParseCidr('172.32.0.0/16'))).toBe(false);
    expect(isPrivate(mustParseCidr('192.168.10.0/24'))).toBe(true);
    expect(isPrivate(mustParseCidr('100.64.0.0/16'))).toBe(false);
  });
});
