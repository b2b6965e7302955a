/**
 * IPv4 CIDR arithmetic, done in TypeScript at synth time (not with Terraform's `cidrsubnet`) so
 * the config schema can reject a plan that does not fit before any stack is built.
 */

/** A parsed IPv4 CIDR block. `network` is the first address as an unsigned 32-bit integer. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error string instead of throwing so callers can report it. */
export function parseCidr(text: string): Ipv4Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) {
    return `is not an IPv4 CIDR block of the form a.b.c.d/n`;
  }
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255)) {
    return `has an octet above 255`;
  }
  if (prefixLength > 32) {
    return `has a prefix length above 32`;
  }
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (address & maskOf(prefixLength)) >>> 0;
  if (network !== address) {
    return `has host bits set (the network address is ${formatCidr({ network, prefixLength })})`;
  }
  return { network, prefixLength };
}

/** Parses a CIDR that is known to be valid (our own computed values); throws otherwise. */
export function mustParseCidr(text: string): Ipv4Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') {
    throw new Error(`${text} ${parsed}`);
  }
  return parsed;
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${cidr.prefixLength}`;
}

/** Number of addresses in the block. */
export function sizeOf(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** Last address of the block, inclusive. */
export function lastAddress(cidr: Ipv4Cidr): number {
  return cidr.network + sizeOf(cidr.prefixLength) - 1;
}

export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return (
    inner.prefixLength >= outer.prefixLength &&
    inner.network >= outer.network &&
    lastAddress(inner) <= lastAddress(outer)
  );
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** The RFC 1918 private ranges; a VPC must sit inside one of them. */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function isPrivate(cidr: Ipv4Cidr): boolean {
  return PRIVATE_RANGES.some((range) => contains(mustParseCidr(range), cidr));
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}
