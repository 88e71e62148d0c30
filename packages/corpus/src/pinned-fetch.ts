/**
 * Fetching pinned packages into a local cache and unpacking them, with the hash checked every time.
 *
 * npm versions are immutable, so an npm pin (name, version, sha512 integrity) is exact forever. Debian's
 * archive serves only the current version of a package, so a pin can go stale when a package gets a security
 * update; then the build stops with a message naming the source, the pinned and the served version/hash.
 * `allowDrift` accepts what is served instead (recorded in the outputs' provenance) for when a rebuild matters
 * more than bit-identical data.
 */
import { ResourceError } from "@isc/core";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface NpmPin {
  kind: "npm";
  name: string;
  version: string;
  /** `sha512-<base64>`, as `npm view <name>@<version> dist.integrity` prints it. */
  integrity: string;
}

export interface DebPin {
  kind: "deb";
  name: string;
  version: string;
  /** Of the .deb file. */
  sha256: string;
}

export type Pin = NpmPin | DebPin;

/** What was actually used, for logs and dataset provenance. */
export interface FetchedPackage {
  kind: "npm" | "deb";
  name: string;
  version: string;
  hash: string;
  /** The unpacked package root. */
  dir: string;
  drifted: boolean;
}

export class PinMismatchError extends ResourceError {
  override name = "PinMismatchError";
}

function fileHash(path: string, algo: "sha256" | "sha512", encoding: "hex" | "base64"): string {
  return createHash(algo).update(readFileSync(path)).digest(encoding);
}

function safeName(s: string): string {
  return s.replace(/^@/, "").replace(/[^A-Za-z0-9._+-]/g, "_");
}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${(err.stderr ?? "").trim() || err.message}`);
  }
}

/** Unpacks once per (package, hash): a marker file records what the directory was unpacked from. */
function unpackOnce(dir: string, hash: string, unpack: (into: string) => void): void {
  const marker = join(dir, ".unpacked-from");
  if (existsSync(marker) && readFileSync(marker, "utf8") === hash) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  unpack(dir);
  writeFileSync(marker, hash);
}

export function fetchNpm(pin: NpmPin, cacheDir: string): FetchedPackage {
  const label = `npm ${pin.name}@${pin.version}`;
  const dlDir = join(cacheDir, "npm");
  mkdirSync(dlDir, { recursive: true });
  const file = join(dlDir, `${safeName(pin.name)}-${pin.version}.tgz`);
  const integrityOf = (p: string) => `sha512-${fileHash(p, "sha512", "base64")}`;
  if (!existsSync(file)) {
    const tmp = mkdtempSync(join(dlDir, ".pack-"));
    try {
      run("npm", ["pack", `${pin.name}@${pin.version}`, "--pack-destination", tmp, "--silent"]);
      const tgz = readdirSync(tmp).filter((f) => f.endsWith(".tgz"));
      if (tgz.length !== 1) throw new Error(`${label}: npm pack produced ${tgz.length} files`);
      const found = integrityOf(join(tmp, tgz[0]));
      if (found !== pin.integrity) {
        throw new PinMismatchError(`${label}: integrity mismatch: pinned ${pin.integrity}, registry served ${found}`);
      }
      renameSync(join(tmp, tgz[0]), file);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const found = integrityOf(file);
  if (found !== pin.integrity) {
    throw new PinMismatchError(`${label}: cached ${file} has integrity ${found} but the pin says ${pin.integrity}; if the pin is right, delete the file to re-download`);
  }
  const dir = join(cacheDir, "unpacked", `${safeName(pin.name)}-${pin.version}`);
  unpackOnce(dir, found, (into) => run("tar", ["-xzf", file, "-C", into]));
  // npm tarballs put everything under package/.
  return { kind: "npm", name: pin.name, version: pin.version, hash: found, dir: join(dir, "package"), drifted: false };
}

/** The version apt would download today, or null when the package is unknown. */
function aptCandidate(name: string): string | null {
  const m = /Candidate:\s*(\S+)/.exec(run("apt-cache", ["policy", name]));
  return m && m[1] !== "(none)" ? m[1] : null;
}

/** Debian version order, as dpkg itself defines it. */
function debVersionLess(a: string, b: string): boolean {
  return spawnSync("dpkg", ["--compare-versions", a, "lt", b]).status === 0;
}

export function fetchDeb(pin: DebPin, cacheDir: string, allowDrift = false): FetchedPackage {
  const dlDir = join(cacheDir, "deb");
  mkdirSync(dlDir, { recursive: true });
  const cached = (version: string) => join(dlDir, `${pin.name}_${safeName(version)}.deb`);
  let version = pin.version;
  let file = cached(version);
  if (!existsSync(file)) {
    const candidate = aptCandidate(pin.name);
    if (candidate !== pin.version) {
      // An older candidate almost always means stale package lists on this machine, not a changed archive.
      const fix =
        candidate !== null && debVersionLess(candidate, pin.version)
          ? `apt's package lists look older than the pin: run \`apt-get update\` (as root) and try again.`
          : `Update the pin in packages/corpus/src/sources.ts, or pass --allow-drift to use the served version.`;
      const msg = `deb ${pin.name}: pinned version ${pin.version} is not what apt serves (candidate: ${candidate ?? "none; run apt-get update?"}). ${fix}`;
      if (!allowDrift || candidate === null) throw new PinMismatchError(msg);
      console.warn(`WARNING: ${msg} Using ${candidate}.`);
      version = candidate;
      file = cached(version);
    }
  }
  if (!existsSync(file)) {
    const tmp = mkdtempSync(join(dlDir, ".apt-"));
    try {
      // apt-get writes into the working directory; "-o APT::Sandbox::User=root" silences the _apt sandbox warning.
      run("apt-get", ["download", "-q", "-o", "APT::Sandbox::User=root", `${pin.name}=${version}`], tmp);
      const debs = readdirSync(tmp).filter((f) => f.endsWith(".deb"));
      if (debs.length !== 1) throw new Error(`deb ${pin.name}=${version}: apt-get download produced ${debs.length} files`);
      const fresh = fileHash(join(tmp, debs[0]), "sha256", "hex");
      // A fresh download that does not match is not cached (unless drift is accepted).
      if (fresh !== pin.sha256 && !allowDrift) {
        throw new PinMismatchError(`deb ${pin.name}=${version}: sha256 mismatch: pinned ${pin.sha256}, apt served ${fresh}; update the pin or pass --allow-drift`);
      }
      renameSync(join(tmp, debs[0]), file);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const found = fileHash(file, "sha256", "hex");
  const drifted = version !== pin.version || found !== pin.sha256;
  if (found !== pin.sha256) {
    const msg = `deb ${pin.name}=${version}: sha256 mismatch: pinned ${pin.sha256}, found ${found} (${file})`;
    if (!allowDrift) throw new PinMismatchError(`${msg}; if the pin is right, delete the cached file to re-download; or pass --allow-drift`);
    console.warn(`WARNING: ${msg}; continuing because of --allow-drift`);
  }
  const dir = join(cacheDir, "unpacked", `${pin.name}_${safeName(version)}`);
  unpackOnce(dir, found, (into) => run("dpkg-deb", ["-x", file, into]));
  return { kind: "deb", name: pin.name, version, hash: found, dir, drifted };
}

export function fetchPinned(pin: Pin, cacheDir: string, allowDrift: boolean): FetchedPackage {
  return pin.kind === "npm" ? fetchNpm(pin, cacheDir) : fetchDeb(pin, cacheDir, allowDrift);
}
