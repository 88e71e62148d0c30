/**
 * The part of the kernel source tarball (inside Debian's linux-source-6.1 .deb) that the corpus reads: C
 * sources/headers and Documentation/. Extracted once next to the unpacked .deb; a marker records which
 * package hash it came from so a changed package is re-extracted.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FetchedPackage } from "./pinned-fetch.js";

export function linuxSourceTree(pkg: FetchedPackage): string {
  const srcDir = join(pkg.dir, "usr/src");
  const tarball = readdirSync(srcDir).find((f) => /^linux-source-.*\.tar\.xz$/.test(f));
  if (!tarball) throw new Error(`${pkg.name} ${pkg.version}: no linux-source-*.tar.xz under ${srcDir}`);
  const out = `${pkg.dir}-tree`;
  const marker = join(out, ".extracted-from");
  const top = tarball.replace(/\.tar\.xz$/, "");
  if (!(existsSync(marker) && readFileSync(marker, "utf8") === pkg.hash)) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    execFileSync("tar", ["-xJf", join(srcDir, tarball), "-C", out, "--wildcards", "*.c", "*.h", `${top}/Documentation/*`], { stdio: "inherit" });
    writeFileSync(marker, pkg.hash);
  }
  return join(out, top);
}
