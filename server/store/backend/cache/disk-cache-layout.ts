import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * Layout: one folder level per key segment but the last, each named by a hash of the key up to
 * there (`<h('t/')>/<h('t/b/')>/`), so deleting a block or a tenant prefix removes one folder,
 * and the hashes keep any tenant ID a safe file name. A file is named by a hash of the whole
 * key, with the byte range after it for a ranged read. Each file holds a header — magic, CRC-32
 * of the payload, the key and range it is for — then the payload; a file that fails any check
 * is a miss (and is removed).
 */
const MAGIC = Buffer.from('LPC1');
const HEADER_FIXED_BYTES = 10; // magic, u32 CRC-32, u16 tag length
export const DIR_NAME = /^[0-9a-f]{16}$/;
export const FILE_NAME = /^[0-9a-f]{32}(-\d+-\d+)?$/;
export const TMP_NAME = /^[0-9a-f]{32}(-\d+-\d+)?\.tmp-[0-9a-f]+$/;

function hash(text: string, hexChars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** The folder (relative to the cache root) of the objects under these leading key segments. */
export function folderOf(segments: readonly string[]): string {
  return join(...segments.map((_, i) => hash(`${segments.slice(0, i + 1).join('/')}/`, 16)));
}

/** A file's name: a hash of its key, then the byte range of a ranged read. */
export function fileNameOf(key: string, range?: { offset: number; length: number }): string {
  return hash(key, 32) + (range ? `-${range.offset}-${range.length}` : '');
}

export function headerFor(tag: string, payload: Uint8Array): Buffer {
  const tagBytes = Buffer.from(tag, 'utf8');
  const header = Buffer.alloc(HEADER_FIXED_BYTES + tagBytes.length);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(crc32(payload), 4);
  header.writeUInt16LE(tagBytes.length, 8);
  tagBytes.copy(header, HEADER_FIXED_BYTES);
  return header;
}

/** The payload of a cache file, or undefined when it is not whole or not for `tag`. */
export function unwrap(file: Buffer, tag: string): Buffer | undefined {
  if (file.length < HEADER_FIXED_BYTES || !file.subarray(0, 4).equals(MAGIC)) return undefined;
  const tagLength = file.readUInt16LE(8);
  const start = HEADER_FIXED_BYTES + tagLength;
  if (file.length < start || file.toString('utf8', HEADER_FIXED_BYTES, start) !== tag) return undefined;
  const payload = file.subarray(start);
  return crc32(payload) === file.readUInt32LE(4) ? payload : undefined;
}
