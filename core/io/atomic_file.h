#pragma once
// Crash-safe file replacement: write everything to a temporary file next to the target, flush and
// fsync it, rename it over the target, then fsync the folder. A reader therefore sees either the
// complete old file or the complete new one, never a torn write; if anything fails the temporary
// file is removed, the old file stays intact, and the function throws.
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace capsule::io {

/// Writes `path` atomically. `writer` receives a binary stream on the temporary file
/// `path + ".tmp-<pid>-<random>"` (same folder, so the rename never crosses file systems).
/// If `writer` throws, or any write/flush/fsync/rename fails, the temporary file is removed and a
/// std::runtime_error naming `path` is thrown (the writer's own exception is rethrown as is).
/// Thread-safe for distinct paths; concurrent writers of the same path: last rename wins.
void writeFileAtomically(const std::string& path,
                         const std::function<void(std::ostream&)>& writer);

/// Bytes overload: writes exactly `bytes` to `path` atomically.
void writeFileAtomically(const std::string& path, const std::string& bytes);

/// Raw-buffer overload: writes `sizeBytes` bytes from `data` (not owned) to `path` atomically.
void writeFileAtomically(const std::string& path, const void* data, std::size_t sizeBytes);

/// Replaces the folder `finalDirectory` by the fully written folder `temporaryDirectory` (which
/// must be on the same file system, e.g. a sibling). If `finalDirectory` exists it is first
/// renamed aside (`finalDirectory + ".old-<pid>-<random>"`), the new folder is renamed into place,
/// then the old one is deleted; if the second rename fails the old folder is moved back.
/// Parent folder is fsynced. Throws std::runtime_error naming both folders on failure.
void atomicReplaceDirectory(const std::string& temporaryDirectory, const std::string& finalDirectory);

/// A fresh sibling path for a temporary file or folder: `path + ".tmp-<pid>-<random>"` (a
/// trailing '/' of a folder path is dropped first: the sibling of "out/" is "out.tmp-...").
std::string temporarySiblingPath(const std::string& path);

/// `path` without trailing '/' ("out/" -> "out"; "/" stays).
std::string withoutTrailingSeparators(std::string path);

}  // namespace capsule::io
