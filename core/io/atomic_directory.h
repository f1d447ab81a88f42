#pragma once
// Crash-safe folder writes: everything goes into a fresh sibling folder, which then replaces the
// target in one rename (atomicReplaceDirectory). Checkpoints, adapter exports and merged-model
// exports all write this way, so a crash or an error never leaves a half-written folder and an
// earlier folder at the target survives until the new one is complete.
#include <functional>
#include <string>

namespace capsule::io {

/// Creates `folder`'s parent folders and a temporary sibling folder, calls `fill(temporaryFolder)`,
/// then replaces `folder` by it. If `fill` throws, or the temporary folder cannot be created
/// (std::runtime_error naming both), or the replacement fails, the temporary folder is removed and
/// the exception propagates; `folder` is left as it was.
void writeDirectoryAtomically(const std::string& folder, const std::function<void(const std::string&)>& fill);

}  // namespace capsule::io
