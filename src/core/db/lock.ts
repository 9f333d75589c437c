// The embedded database belongs to one process: two PGlite instances on one folder corrupt it.
// A lock file in the data directory names the owner; a second process reads it and refuses
// without opening any database file.

import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { StartupError } from "../errors.ts";

interface Holder {
  pid: number;
  host: string;
  /** The kernel's start time of the process, so a recycled pid is not mistaken for the owner. */
  processStart: string | null;
  startedAt: string;
  command: string;
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, "console.lock");
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    processStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    command,
  };

  // Two attempts: the second follows the removal of a lock left by a process that has died.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StartupError(`Cannot create ${lockPath}; make DATA_DIR a writable folder.`);
      }
      const holder = readHolder(lockPath);
      if (holder && !isAlive(holder)) {
        unlinkSync(lockPath);
        continue;
      }
      throw new StartupError(describeHolder(dataDir, lockPath, holder));
    }

    writeSync(fd, JSON.stringify(me));
    closeSync(fd);

    return {
      release() {
        const holder = readHolder(lockPath);
        if (holder?.pid === me.pid && holder.startedAt === me.startedAt) unlinkSync(lockPath);
      },
    };
  }

  throw new StartupError(`Another process took ${lockPath} at the same moment; try again.`);
}

function describeHolder(dataDir: string, lockPath: string, holder: Holder | null): string {
  if (!holder) {
    return (
      `The data directory ${dataDir} is locked by another process (${lockPath} is ` +
      "unreadable); stop that process, or delete the file if none is running."
    );
  }
  return (
    `The data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} ` +
    `(${holder.command}, started ${holder.startedAt}); stop it first, or set DATA_DIR to ` +
    "another folder."
  );
}

function readHolder(lockPath: string): Holder | null {
  try {
    const holder = JSON.parse(readFileSync(lockPath, "utf8")) as Holder;
    return typeof holder.pid === "number" ? holder : null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder): boolean {
  // A lock written on another host (a shared folder) cannot be checked from here: respect it.
  if (holder.host !== hostname()) return true;

  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }

  const start = processStartTime(holder.pid);
  return !(start && holder.processStart && start !== holder.processStart);
}

/** Field 22 of /proc/PID/stat on Linux; elsewhere the pid check alone has to do. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
