import { crc32 } from 'node:zlib';

/**
 * The frame around every WAL record, written here and nowhere else (little endian):
 *
 *   | bytes | field                                                      |
 *   | ----- | ---------------------------------------------------------- |
 *   | 4     | payloadLength                                              |
 *   | 4     | crc32(payload)                                             |
 *   | n     | payload = the codec's header, then the record's `data`     |
 *
 * These are the bytes the WAL has always written (before the WAL had its own folder each codec
 * wrote this frame itself; the layout did not change), so segments from any earlier version replay.
 * A frame whose length runs past the end of the segment, or whose checksum does not match, is a
 * torn tail: everything before it was acknowledged, nothing from it on was.
 */
export const FRAME_HEADER_BYTES = 8;

/**
 * One record as a frame: `header` (the codec's fields) and `data` copied once into a new buffer.
 * `dataOffset` is where `data` starts within the frame.
 */
export function encodeFrame(header: Uint8Array, data: Uint8Array): { frame: Buffer; dataOffset: number } {
  const payloadLength = header.length + data.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  frame.writeUInt32LE(payloadLength, 0);
  frame.set(header, FRAME_HEADER_BYTES);
  const dataOffset = FRAME_HEADER_BYTES + header.length;
  frame.set(data, dataOffset);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return { frame, dataOffset };
}

/**
 * The payload of the frame at `offset` in `segment` (a view, not a copy) and the frame's length,
 * or undefined for a torn or corrupt tail.
 */
export function readFrame(
  segment: Buffer,
  offset: number,
): { payload: Buffer; frameLength: number } | undefined {
  if (offset + FRAME_HEADER_BYTES > segment.length) return undefined;
  const payloadLength = segment.readUInt32LE(offset);
  const end = offset + FRAME_HEADER_BYTES + payloadLength;
  if (end > segment.length) return undefined;
  const payload = segment.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== segment.readUInt32LE(offset + 4)) return undefined;
  return { payload, frameLength: FRAME_HEADER_BYTES + payloadLength };
}
