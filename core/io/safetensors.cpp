#include "io/safetensors.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace capsule::io {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(path + ": " + problem);
}

struct DtypeMapping {
    const char* name;
    c10::ScalarType scalarType;
    int64_t elementBytes;
};

// The dtypes LibTorch 1.13 can represent. F8_*, U16/U32/U64, F4 and F6 are valid safetensors
// dtypes without a LibTorch 1.13 type; they parse but tensor() refuses them by name.
constexpr DtypeMapping kTorchDtypes[] = {
    {"F64", c10::ScalarType::Double, 8},   {"F32", c10::ScalarType::Float, 4},
    {"F16", c10::ScalarType::Half, 2},     {"BF16", c10::ScalarType::BFloat16, 2},
    {"I64", c10::ScalarType::Long, 8},     {"I32", c10::ScalarType::Int, 4},
    {"I16", c10::ScalarType::Short, 2},    {"I8", c10::ScalarType::Char, 1},
    {"U8", c10::ScalarType::Byte, 1},      {"BOOL", c10::ScalarType::Bool, 1},
    {"C64", c10::ScalarType::ComplexFloat, 8},
};

const DtypeMapping* torchDtypeOf(const std::string& dtype) {
    for (const DtypeMapping& mapping : kTorchDtypes) {
        if (dtype == mapping.name) return &mapping;
    }
    return nullptr;
}

}  // namespace

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat status {};
    if (::fstat(descriptor, &status) != 0) {
        const int error = errno;
        ::close(descriptor);
        fail(path, std::string("cannot stat: ") + std::strerror(error));
    }
    if (!S_ISREG(status.st_mode)) {
        ::close(descriptor);
        fail(path, "not a regular file");
    }
    const uint64_t fileSize = static_cast<uint64_t>(status.st_size);
    if (fileSize < 8) {
        ::close(descriptor);
        // Same message as the parser; mmap of an empty file would fail with a vaguer one.
        unsigned char none[8] = {};
        parseSafetensorsHeader(path, none, 0, fileSize);
    }
    void* mapping = ::mmap(nullptr, static_cast<std::size_t>(fileSize), PROT_READ, MAP_PRIVATE, descriptor, 0);
    const int mapError = errno;
    ::close(descriptor);  // the mapping keeps the file referenced
    if (mapping == MAP_FAILED) fail(path, std::string("cannot memory-map: ") + std::strerror(mapError));

    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path;
    file->mapping_ = static_cast<const unsigned char*>(mapping);
    file->mappingSizeBytes_ = fileSize;
    // From here on the destructor unmaps, also when validation throws.
    file->header_ = parseSafetensorsHeader(path, file->mapping_, fileSize, fileSize);
    file->indexByName_.reserve(file->header_.tensors.size());
    for (size_t i = 0; i < file->header_.tensors.size(); ++i) {
        file->indexByName_.emplace(file->header_.tensors[i].name, i);
    }
    return file;
}

SafetensorsFile::~SafetensorsFile() {
    if (mapping_) ::munmap(const_cast<unsigned char*>(mapping_), static_cast<std::size_t>(mappingSizeBytes_));
}

std::vector<std::string> SafetensorsFile::names() const {
    std::vector<std::string> result;
    result.reserve(header_.tensors.size());
    for (const TensorInfo& info : header_.tensors) result.push_back(info.name);
    return result;
}

bool SafetensorsFile::has(const std::string& name) const {
    return indexByName_.count(name) > 0;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
    const auto found = indexByName_.find(name);
    if (found == indexByName_.end()) fail(path_, "no tensor named '" + name + "'");
    return header_.tensors[found->second];
}

void SafetensorsFile::releasePages(const std::string& name) const {
    const TensorInfo& entry = info(name);
    const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    // Only whole pages inside the tensor's bytes: a page shared with a neighbour stays.
    const uint64_t begin = (entry.fileOffsetBytes + page - 1) / page * page;
    const uint64_t end = (entry.fileOffsetBytes + entry.sizeBytes()) / page * page;
    if (end <= begin) return;
    // Advice only: a refusal changes nothing but the resident set, so its result is ignored.
    (void)::madvise(const_cast<unsigned char*>(mapping_) + begin, static_cast<std::size_t>(end - begin), MADV_DONTNEED);
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
    const TensorInfo& entry = info(name);
    const DtypeMapping* mapping = torchDtypeOf(entry.dtype);
    if (!mapping) {
        fail(path_, "unsupported dtype " + entry.dtype + " for tensor '" + name +
                        "' (LibTorch " TORCH_VERSION " here supports F64, F32, F16, BF16, I64, I32, "
                        "I16, I8, U8, BOOL and C64)");
    }
    const auto options = torch::TensorOptions().dtype(mapping->scalarType).device(torch::kCPU);
    if (entry.elementCount == 0) return torch::empty(entry.shape, options);  // [*shape], 0 bytes

    const unsigned char* data = mapping_ + entry.fileOffsetBytes;
    // A BOOL byte other than 0/1 is undefined behaviour for LibTorch kernels: normalise a copy.
    if (mapping->scalarType == c10::ScalarType::Bool) {
        bool clean = true;
        for (uint64_t i = 0; i < entry.sizeBytes() && clean; ++i) clean = data[i] <= 1;
        if (!clean) {
            auto bytes = torch::empty(entry.shape, torch::TensorOptions().dtype(torch::kUInt8));
            std::memcpy(bytes.data_ptr(), data, static_cast<std::size_t>(entry.sizeBytes()));
            return bytes.ne(0);  // [*shape] bool
        }
    }
    const auto address = reinterpret_cast<std::uintptr_t>(data);
    if (address % static_cast<std::uintptr_t>(mapping->elementBytes) != 0) {
        // Pre-0.3.1 writers did not align tensors; LibTorch kernels assume element alignment.
        auto copy = torch::empty(entry.shape, options);  // [*shape]
        std::memcpy(copy.data_ptr(), data, static_cast<std::size_t>(entry.sizeBytes()));
        return copy;
    }
    // Zero-copy view. The deleter owns a reference to this file, so the mapping outlives the
    // tensor (and every view or slice LibTorch derives from it).
    std::shared_ptr<const SafetensorsFile> keepAlive = shared_from_this();
    return torch::from_blob(
        const_cast<unsigned char*>(data), entry.shape,
        [keepAlive](void*) mutable { keepAlive.reset(); }, options);  // [*shape]
}

}  // namespace capsule::io
