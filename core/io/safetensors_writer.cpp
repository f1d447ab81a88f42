#include "io/safetensors_writer.h"

#include "io/atomic_file.h"
#include "io/json_reader.h"
#include "io/safetensors_header.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace capsule::io {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct WriterDtype {
    c10::ScalarType scalarType;
    const char* name;
    int rank;  // position in the reference enum (increasing alignment); the sort key
};

// Ranks are the positions in safetensors' Dtype enum: BOOL 0, F4 1, F6_E2M3 2, F6_E3M2 3, U8 4,
// I8 5, F8_E5M2 6, F8_E4M3 7, F8_E8M0 8, F8_E4M3FNUZ 9, F8_E5M2FNUZ 10, I16 11, U16 12, F16 13,
// BF16 14, I32 15, U32 16, F32 17, C64 18, F64 19, I64 20, U64 21.
constexpr WriterDtype kWriterDtypes[] = {
    {c10::ScalarType::Bool, "BOOL", 0},       {c10::ScalarType::Byte, "U8", 4},
    {c10::ScalarType::Char, "I8", 5},         {c10::ScalarType::Short, "I16", 11},
    {c10::ScalarType::Half, "F16", 13},       {c10::ScalarType::BFloat16, "BF16", 14},
    {c10::ScalarType::Int, "I32", 15},        {c10::ScalarType::Float, "F32", 17},
    {c10::ScalarType::ComplexFloat, "C64", 18}, {c10::ScalarType::Double, "F64", 19},
    {c10::ScalarType::Long, "I64", 20},
};

const WriterDtype* writerDtypeOf(c10::ScalarType type) {
    for (const WriterDtype& dtype : kWriterDtypes) {
        if (dtype.scalarType == type) return &dtype;
    }
    return nullptr;
}

// JSON string escaping exactly as serde_json writes it: '"' and '\\' escaped, the short forms
// \b \f \n \r \t, other control characters as \u00XX (lower-case hex), everything else (UTF-8
// included, and DEL) verbatim.
void appendJsonString(std::string& out, const std::string& text) {
    out += '"';
    for (const char character : text) {
        const auto byte = static_cast<unsigned char>(character);
        switch (character) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (byte < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
                out += escaped;
            } else {
                out += character;
            }
        }
    }
    out += '"';
}

struct PlannedTensor {
    std::string name;
    const WriterDtype* dtype = nullptr;
    std::vector<int64_t> shape;
    uint64_t beginOffsetBytes = 0;
    uint64_t endOffsetBytes = 0;
    size_t inputIndex = 0;
};

struct Plan {
    std::vector<PlannedTensor> tensors;  // storage order
    std::string header;                  // JSON + padding
};

Plan planFile(const std::string& label, const NamedTensors& tensors,
              const std::map<std::string, std::string>& metadata) {
    Plan plan;
    std::set<std::string> seen;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, tensor] = tensors[i];
        if (name.empty()) throw std::runtime_error(label + ": a tensor has an empty name");
        if (name == "__metadata__") {
            throw std::runtime_error(label + ": '__metadata__' is reserved and cannot name a tensor");
        }
        if (!isValidUtf8(name)) throw std::runtime_error(label + ": tensor name '" + name + "' is not valid UTF-8");
        if (!seen.insert(name).second) throw std::runtime_error(label + ": duplicate tensor name '" + name + "'");
        if (!tensor.defined()) throw std::runtime_error(label + ": tensor '" + name + "' is undefined");
        const WriterDtype* dtype = writerDtypeOf(tensor.scalar_type());
        if (!dtype) {
            throw std::runtime_error(label + ": tensor '" + name + "' has dtype " +
                                     std::string(c10::toString(tensor.scalar_type())) +
                                     ", which safetensors export does not support");
        }
        PlannedTensor planned;
        planned.name = name;
        planned.dtype = dtype;
        planned.shape = tensor.sizes().vec();
        planned.inputIndex = i;
        plan.tensors.push_back(std::move(planned));
    }
    // The reference writer's order: descending dtype alignment, then name (byte-wise).
    std::sort(plan.tensors.begin(), plan.tensors.end(), [](const PlannedTensor& a, const PlannedTensor& b) {
        if (a.dtype->rank != b.dtype->rank) return a.dtype->rank > b.dtype->rank;
        return a.name < b.name;
    });
    uint64_t offset = 0;
    for (PlannedTensor& planned : plan.tensors) {
        const at::Tensor& tensor = tensors[planned.inputIndex].second;
        const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * tensor.element_size();
        planned.beginOffsetBytes = offset;
        planned.endOffsetBytes = offset + bytes;
        offset += bytes;
    }

    for (const auto& [key, value] : metadata) {
        if (!isValidUtf8(key) || !isValidUtf8(value)) {
            throw std::runtime_error(label + ": metadata entry '" + key + "' is not valid UTF-8");
        }
    }

    std::string& json = plan.header;
    json += '{';
    bool first = true;
    if (!metadata.empty()) {
        json += "\"__metadata__\":{";
        bool firstKey = true;
        for (const auto& [key, value] : metadata) {
            if (!firstKey) json += ',';
            firstKey = false;
            appendJsonString(json, key);
            json += ':';
            appendJsonString(json, value);
        }
        json += '}';
        first = false;
    }
    for (const PlannedTensor& planned : plan.tensors) {
        if (!first) json += ',';
        first = false;
        appendJsonString(json, planned.name);
        json += ":{\"dtype\":\"";
        json += planned.dtype->name;
        json += "\",\"shape\":[";
        for (size_t d = 0; d < planned.shape.size(); ++d) {
            if (d) json += ',';
            json += std::to_string(planned.shape[d]);
        }
        json += "],\"data_offsets\":[" + std::to_string(planned.beginOffsetBytes) + ',' +
                std::to_string(planned.endOffsetBytes) + "]}";
    }
    json += '}';
    json.append((8 - json.size() % 8) % 8, ' ');
    if (json.size() > kMaxHeaderBytes) {
        throw std::runtime_error(label + ": header would be " + std::to_string(json.size()) +
                                 " bytes, over the format's 100000000-byte limit");
    }
    return plan;
}

void writePlannedFile(const std::string& path, const NamedTensors& tensors, const Plan& plan) {
    writeFileAtomically(path, [&](std::ostream& out) {
        const uint64_t headerBytes = plan.header.size();
        unsigned char prefix[8];
        for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(headerBytes >> (8 * i));
        out.write(reinterpret_cast<const char*>(prefix), 8);
        out.write(plan.header.data(), static_cast<std::streamsize>(plan.header.size()));
        for (const PlannedTensor& planned : plan.tensors) {
            // One tensor at a time, so at most one extra copy (device -> CPU / non-contiguous).
            const at::Tensor data = tensors[planned.inputIndex].second.detach().to(torch::kCPU).contiguous();
            const auto bytes = static_cast<std::streamsize>(planned.endOffsetBytes - planned.beginOffsetBytes);
            if (bytes > 0) out.write(static_cast<const char*>(data.data_ptr()), bytes);
            if (!out) throw std::runtime_error(path + ": write failed for tensor '" + planned.name + "'");
        }
    });
}

std::string shardFileName(size_t index, size_t count) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", index + 1, count);
    return name;
}

}  // namespace

std::string buildSafetensorsHeader(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
    return planFile("safetensors header", tensors, metadata).header;
}

void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
    const Plan plan = planFile(path, tensors, metadata);
    writePlannedFile(path, tensors, plan);
}

void writeShardedSafetensors(const std::string& folder, const NamedTensors& tensors, int64_t maxShardBytes,
                             const std::map<std::string, std::string>& metadata) {
    if (maxShardBytes <= 0) throw std::runtime_error(folder + ": maxShardBytes must be positive");
    // Validate names and dtypes once for the whole set (duplicates across shards included).
    planFile(folder, tensors, {});

    // huggingface_hub's split_state_dict_into_shards: walk in input order, start a new shard when
    // the next tensor would overflow, give an oversized tensor a shard of its own.
    std::vector<NamedTensors> shards;
    NamedTensors current;
    int64_t currentBytes = 0;
    int64_t totalBytes = 0;
    for (const auto& entry : tensors) {
        const int64_t bytes = entry.second.numel() * static_cast<int64_t>(entry.second.element_size());
        totalBytes += bytes;
        if (bytes > maxShardBytes) {
            shards.push_back({entry});
            continue;
        }
        if (currentBytes + bytes > maxShardBytes) {
            shards.push_back(std::move(current));
            current.clear();
            currentBytes = 0;
        }
        current.push_back(entry);
        currentBytes += bytes;
    }
    if (!current.empty()) shards.push_back(std::move(current));

    std::error_code error;
    fs::create_directories(folder, error);
    if (error) throw std::runtime_error(folder + ": cannot create folder: " + error.message());

    if (shards.size() <= 1) {
        writeSafetensors((fs::path(folder) / "model.safetensors").string(), shards.empty() ? NamedTensors{} : shards[0],
                         metadata);
        return;
    }
    nlohmann::json weightMap = nlohmann::json::object();
    for (size_t i = 0; i < shards.size(); ++i) {
        const std::string name = shardFileName(i, shards.size());
        writeSafetensors((fs::path(folder) / name).string(), shards[i], metadata);
        for (const auto& entry : shards[i]) weightMap[entry.first] = name;
    }
    nlohmann::json index;
    index["metadata"] = {{"total_size", totalBytes}};
    index["weight_map"] = weightMap;
    // transformers writes json.dumps(index, indent=2, sort_keys=True) + "\n".
    writeFileAtomically((fs::path(folder) / "model.safetensors.index.json").string(), index.dump(2) + "\n");
}

}  // namespace capsule::io
