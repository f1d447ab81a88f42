#include "io/atomic_directory.h"

#include "io/atomic_file.h"

#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace capsule::io {

namespace fs = std::filesystem;

void writeDirectoryAtomically(const std::string& folderPath, const std::function<void(const std::string&)>& fill) {
    const std::string folder = withoutTrailingSeparators(folderPath);  // "out/" (shell completion) is "out"
    const fs::path target(folder);
    std::error_code error;
    if (target.has_parent_path()) fs::create_directories(target.parent_path(), error);
    const std::string temporary = temporarySiblingPath(folder);
    if (!fs::create_directory(temporary, error))
        throw std::runtime_error(folder + ": cannot create the temporary folder " + temporary + ": " + error.message());
    try {
        fill(temporary);
        atomicReplaceDirectory(temporary, folder);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }
}

}  // namespace capsule::io
