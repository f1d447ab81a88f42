#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <streambuf>
#include <vector>

namespace capsule::io {
namespace {

namespace fs = std::filesystem;

std::string errnoText(int error) {
    return std::strerror(error);
}

// An output stream buffer over a POSIX file descriptor: std::ofstream hides its descriptor, and
// we need it for fsync. Large writes bypass the buffer.
class DescriptorStreamBuffer : public std::streambuf {
public:
    explicit DescriptorStreamBuffer(int descriptor) : descriptor_(descriptor), buffer_(1 << 20) {
        setp(buffer_.data(), buffer_.data() + buffer_.size());
    }
    int error() const { return error_; }

protected:
    int_type overflow(int_type character) override {
        if (!flushBuffer()) return traits_type::eof();
        if (!traits_type::eq_int_type(character, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(character);
            pbump(1);
        }
        return traits_type::not_eof(character);
    }
    std::streamsize xsputn(const char* data, std::streamsize count) override {
        if (count >= static_cast<std::streamsize>(buffer_.size()) / 2) {
            if (!flushBuffer() || !writeAll(data, static_cast<size_t>(count))) return 0;
            return count;
        }
        return std::streambuf::xsputn(data, count);
    }
    int sync() override { return flushBuffer() ? 0 : -1; }

private:
    bool flushBuffer() {
        const auto pending = static_cast<size_t>(pptr() - pbase());
        if (pending > 0 && !writeAll(pbase(), pending)) return false;
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return true;
    }
    bool writeAll(const char* data, size_t count) {
        while (count > 0) {
            const ssize_t written = ::write(descriptor_, data, count);
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) {
                error_ = written < 0 ? errno : EIO;
                return false;
            }
            data += written;
            count -= static_cast<size_t>(written);
        }
        return true;
    }

    int descriptor_;
    std::vector<char> buffer_;
    int error_ = 0;
};

std::string parentFolderOf(const std::string& path) {
    const fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// Makes a rename durable. Some file systems refuse fsync on folders (EINVAL): harmless.
void syncFolder(const std::string& folder) {
    const int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0) return;
    ::fsync(descriptor);
    ::close(descriptor);
}

std::string randomSuffix() {
    static thread_local std::mt19937_64 generator(std::random_device{}() ^
                                                  (static_cast<uint64_t>(::getpid()) << 32));
    char text[32];
    std::snprintf(text, sizeof text, "%d-%012llx", static_cast<int>(::getpid()),
                  static_cast<unsigned long long>(generator() & 0xFFFFFFFFFFFFULL));
    return text;
}

}  // namespace

std::string withoutTrailingSeparators(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

std::string temporarySiblingPath(const std::string& path) {
    return withoutTrailingSeparators(path) + ".tmp-" + randomSuffix();
}

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& writer) {
    std::string temporary;
    int descriptor = -1;
    for (int attempt = 0; attempt < 16 && descriptor < 0; ++attempt) {
        temporary = temporarySiblingPath(path);
        descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (descriptor < 0 && errno != EEXIST) break;
    }
    if (descriptor < 0) {
        throw std::runtime_error(path + ": cannot create temporary file " + temporary + ": " + errnoText(errno));
    }
    bool descriptorOpen = true;
    try {
        // Keep the permissions of the file being replaced (defaults: 0666 & ~umask).
        struct stat existing {};
        if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
            ::fchmod(descriptor, existing.st_mode & 07777);
        }
        DescriptorStreamBuffer buffer(descriptor);
        std::ostream stream(&buffer);
        stream.exceptions(std::ios::goodbit);
        writer(stream);
        stream.flush();
        if (!stream || buffer.error() != 0) {
            throw std::runtime_error(path + ": write failed: " +
                                     errnoText(buffer.error() != 0 ? buffer.error() : EIO));
        }
        if (::fsync(descriptor) != 0) throw std::runtime_error(path + ": fsync failed: " + errnoText(errno));
        descriptorOpen = false;
        if (::close(descriptor) != 0) throw std::runtime_error(path + ": close failed: " + errnoText(errno));
        if (::rename(temporary.c_str(), path.c_str()) != 0) {
            throw std::runtime_error(path + ": cannot replace with " + temporary + ": " + errnoText(errno));
        }
    } catch (...) {
        if (descriptorOpen) ::close(descriptor);
        ::unlink(temporary.c_str());
        throw;
    }
    syncFolder(parentFolderOf(path));
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    writeFileAtomically(path, bytes.data(), bytes.size());
}

void writeFileAtomically(const std::string& path, const void* data, std::size_t sizeBytes) {
    writeFileAtomically(path, [&](std::ostream& out) {
        if (sizeBytes > 0) out.write(static_cast<const char*>(data), static_cast<std::streamsize>(sizeBytes));
    });
}

void atomicReplaceDirectory(const std::string& temporaryFolder, const std::string& finalFolder) {
    // "out/" names the folder "out": renaming onto or aside from it must not act inside it.
    const std::string temporaryDirectory = withoutTrailingSeparators(temporaryFolder);
    const std::string finalDirectory = withoutTrailingSeparators(finalFolder);
    const std::string what = "replacing " + finalDirectory + " by " + temporaryDirectory;
    std::error_code error;
    if (!fs::is_directory(temporaryDirectory, error)) {
        throw std::runtime_error(what + ": " + temporaryDirectory + " is not a folder");
    }
    syncFolder(temporaryDirectory);
    const bool finalExists = fs::exists(fs::symlink_status(finalDirectory, error));
    if (!finalExists) {
        if (::rename(temporaryDirectory.c_str(), finalDirectory.c_str()) != 0) {
            throw std::runtime_error(what + ": rename failed: " + errnoText(errno));
        }
        syncFolder(parentFolderOf(finalDirectory));
        return;
    }
    const std::string aside = finalDirectory + ".old-" + randomSuffix();
    if (::rename(finalDirectory.c_str(), aside.c_str()) != 0) {
        throw std::runtime_error(what + ": cannot move the old folder aside: " + errnoText(errno));
    }
    if (::rename(temporaryDirectory.c_str(), finalDirectory.c_str()) != 0) {
        const int renameError = errno;
        ::rename(aside.c_str(), finalDirectory.c_str());  // put the old folder back
        throw std::runtime_error(what + ": rename failed: " + errnoText(renameError));
    }
    syncFolder(parentFolderOf(finalDirectory));
    fs::remove_all(aside, error);  // best effort: the new folder is already in place
}

}  // namespace capsule::io
