/**
 * Documents to fixed-width rows: `[BEGIN]` then `textLength` tokens. The one function used for training
 * and evaluation rows, so both see the same structure.
 *
 * Each document is cut into full pieces from its start, so most rows begin at a document start or a piece
 * boundary. What is left over (a tail shorter than a row, or a whole short document) goes into a packing
 * stream in document order, joined by the separator ("\n\n" as ordinary text tokens, not a control id), and
 * that stream is cut into rows too. Only the stream's final partial row is dropped.
 */

export interface RowOptions {
  /** Text tokens per row; the row is one wider because of `[BEGIN]`. */
  textLength: number;
  beginId: number;
  /** Tokens put between two documents that share a row. */
  separator: readonly number[];
}

export interface RowSet {
  /** Flat, rows × (textLength + 1). */
  tokens: Uint16Array;
  rows: number;
  /** Text tokens that made it into rows (separators included). */
  usedTokens: number;
  /** Text tokens left over at the end of the packing stream. */
  droppedTokens: number;
}

/** A growable Uint16Array. */
class U16Builder {
  private buf = new Uint16Array(1 << 16);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint16Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  append(a: ArrayLike<number>, start = 0, end = a.length): void {
    for (let i = start; i < end; i++) this.push(a[i]);
  }

  finish(): Uint16Array {
    return this.buf.slice(0, this.length);
  }
}

export function makeRows(docs: Iterable<ArrayLike<number>>, opts: RowOptions): RowSet {
  const { textLength: n, beginId, separator } = opts;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`textLength must be a positive integer, got ${n}`);
  const out = new U16Builder();
  let rows = 0;
  let used = 0;
  // The packing stream; only the part not yet emitted is kept.
  let pack: number[] = [];
  const emit = (src: ArrayLike<number>, start: number) => {
    out.push(beginId);
    out.append(src, start, start + n);
    rows++;
    used += n;
  };
  for (const doc of docs) {
    const full = Math.floor(doc.length / n);
    for (let k = 0; k < full; k++) emit(doc, k * n);
    const tailStart = full * n;
    if (tailStart === doc.length) continue;
    if (pack.length > 0) pack.push(...separator);
    for (let i = tailStart; i < doc.length; i++) pack.push(doc[i]);
    if (pack.length >= n) {
      let start = 0;
      while (pack.length - start >= n) {
        emit(pack, start);
        start += n;
      }
      pack = pack.slice(start);
    }
  }
  return { tokens: out.finish(), rows, usedTokens: used, droppedTokens: pack.length };
}
