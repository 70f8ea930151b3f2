/** What every WAL record carries: the bytes a reader later wants back by location (a trace fragment, a log push). */
export interface WalRecord {
  data: Uint8Array;
}

/**
 * Turns one kind of record into a WAL payload and back; the WAL adds the frame (length and
 * checksum, `frame.ts`), so a codec never sees it. A payload is the codec's header followed by the
 * record's `data`: the codec writes only the header and the WAL copies `data` straight into the
 * frame, so a record's location can name its data alone (what queries and the block builder read).
 */
export interface WalCodec<R extends WalRecord> {
  /** Every field of the record but `data`, as bytes. */
  encodeHeader(record: R): Uint8Array;
  /**
   * The record from a payload whose checksum held, with `data` a view of everything after the
   * header; undefined if the payload is not a record of this codec (replay treats it as a torn tail).
   */
  decode(payload: Buffer): R | undefined;
}
