/**
 * The zip container of a PyTorch checkpoint (`torch.save` since torch 1.6): every entry is read into
 * memory and checked against its CRC-32. yauzl parses the archive (central directory, zip64, sizes) but
 * deliberately leaves CRC checking to its caller; without it a flipped byte inside a weight would load as
 * a silently wrong number, so it is done here.
 */
import { FormatError } from "@isc/core";
import { crc32 } from "node:zlib";
import yauzl, { type ZipFile } from "yauzl";

export class TorchFileError extends FormatError {
  override name = "TorchFileError";
}

/** What the first bytes look like, for errors about files that are not zips at all. */
export function describeLeadingBytes(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" ");
  if (bytes.length === 0) return "an empty file";
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) {
    return `a bare pickle (bytes ${hex}): the legacy torch.save format of torch < 1.6 or _use_new_zipfile_serialization=False, which is not supported; re-save it with a recent torch`;
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 48));
  if (/^[\x09\x0a\x0d\x20-\x7e]{8,}/.test(text)) return `text starting ${JSON.stringify(text.slice(0, 40))} (an error page or a Git LFS pointer?)`;
  return `bytes ${hex}`;
}

/**
 * All file entries of a zip archive, by name. Directory entries are skipped. Fails with a TorchFileError
 * naming `source` on anything that is not a whole, intact zip.
 */
export async function readZipEntries(bytes: Uint8Array, source: string): Promise<Map<string, Uint8Array>> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new TorchFileError(`${source}: not a PyTorch zip checkpoint: found ${describeLeadingBytes(bytes)}`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { strictFileNames: true, validateEntrySizes: true });
  } catch (e) {
    throw new TorchFileError(`${source}: truncated or corrupt zip archive (${(e as Error).message}); ${bytes.length} bytes`);
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith("/")) continue;
      if (out.has(entry.fileName)) throw new TorchFileError(`${source}: zip entry "${entry.fileName}" appears twice`);
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const crc = crc32(data) >>> 0;
      if (crc !== entry.crc32 >>> 0) {
        throw new TorchFileError(
          `${source}: zip entry "${entry.fileName}" is corrupt: CRC-32 ${hex8(crc)} but the archive records ${hex8(entry.crc32)}`,
        );
      }
      out.set(entry.fileName, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } catch (e) {
    if (e instanceof TorchFileError) throw e;
    throw new TorchFileError(`${source}: truncated or corrupt zip archive (${(e as Error).message})`);
  }
  return out;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
