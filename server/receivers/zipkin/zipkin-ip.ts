import { isIPv4, isIPv6 } from 'node:net';

/**
 * Endpoint addresses as the Collector writes them into `net.host.ip` / `net.peer.ip`: Go's
 * `net.IP.String()` of the address zipkin-go decoded (JSON text through `net.ParseIP`, protobuf
 * bytes as they are). So IPv4 is dotted (also when sent IPv4-mapped in IPv6 form), IPv6 is
 * lowercase with the longest run of zero groups shortened to `::`.
 */

/** Go's `net.IP.String()`; an address of neither 4 nor 16 bytes prints as `?` + hex, as in Go. */
export function ipToString(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  if (ip.length !== 16) return `?${Buffer.from(ip).toString('hex')}`;
  if (isV4Mapped(ip)) return ip.subarray(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i] << 8) | ip[i + 1]);
  // The first longest run of at least two zero groups becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function isV4Mapped(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/**
 * Go's `net.ParseIP` followed by `String()`: the canonical text of an IPv4 or IPv6 address, or
 * undefined when `text` is not one (zones such as `%eth0` are refused, as by Go).
 */
export function canonicalIp(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!isIPv6(text) || text.includes('%')) return undefined;
  return ipToString(ipv6Bytes(text));
}

/** The 16 bytes of an address `isIPv6` accepted (`::` and a trailing dotted IPv4 allowed). */
function ipv6Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const [head, tail = undefined] = text.split('::');
  const groupsOf = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a, b, c, d] = piece.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(piece, 16));
    }
    return out;
  };
  const front = groupsOf(head);
  const back = groupsOf(tail);
  const groups = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}
