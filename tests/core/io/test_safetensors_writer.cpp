// writeSafetensors / writeShardedSafetensors: byte-exact headers (checked against the reference
// implementation's own test vectors and a header derived by hand from the writer rules), round
// trips of every dtype, and sharded checkpoints read back through CheckpointReader.
#include "capsule_test.h"
#include "safetensors_test_files.h"

#include "io/checkpoint_reader.h"
#include "io/json_reader.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"

#include <torch/torch.h>

#include <filesystem>
#include <limits>

using namespace capsule::io;
using capsule::test::float32Bytes;
using capsule::test::littleEndianBytes;

namespace {

std::string bytesAt(const std::string& file, uint64_t offset, uint64_t count) {
    return file.substr(static_cast<size_t>(offset), static_cast<size_t>(count));
}

}  // namespace

// safetensors' tensor.rs tests: serialize({"attn.0": F32 [1,2,3] = 0..5}, metadata None)
// must give exactly these bytes (N = 64, no padding needed).
CAPSULE_TEST(matchesReferenceSerializationVector) {
    capsule::test::TempDir folder;
    const auto values = torch::arange(6, torch::kFloat).reshape({1, 2, 3});
    writeSafetensors(folder.file("ref.safetensors"), {{"attn.0", values}}, {});
    const unsigned char expected[] = {
        64,  0,   0,   0,   0,   0,   0,   0,   123, 34,  97,  116, 116, 110, 46,  48,  34,  58,  123, 34,  100,
        116, 121, 112, 101, 34,  58,  34,  70,  51,  50,  34,  44,  34,  115, 104, 97,  112, 101, 34,  58,  91,
        49,  44,  50,  44,  51,  93,  44,  34,  100, 97,  116, 97,  95,  111, 102, 102, 115, 101, 116, 115, 34,
        58,  91,  48,  44,  50,  52,  93,  125, 125, 0,   0,   0,   0,   0,   0,   128, 63,  0,   0,   0,   64,
        0,   0,   64,  64,  0,   0,   128, 64,  0,   0,   160, 64};
    COMPARE(capsule::test::readFile(folder.file("ref.safetensors")),
            std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

// tensor.rs test_serialization_forced_alignement: "attn0" F32 [1,1,2,3] -> 65-byte JSON + 7 spaces.
CAPSULE_TEST(padsHeaderToEightBytesLikeReference) {
    const auto values = torch::arange(6, torch::kFloat).reshape({1, 1, 2, 3});
    const std::string header = buildSafetensorsHeader({{"attn0", values}}, {});
    COMPARE(header, std::string(R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})") + "       ");
    // test_empty: no tensors -> "{}" + 6 spaces; with metadata {"framework":"pt"} -> 35 bytes + 5.
    COMPARE(buildSafetensorsHeader({}, {}), std::string("{}      "));
    COMPARE(buildSafetensorsHeader({}, {{"framework", "pt"}}), std::string(R"({"__metadata__":{"framework":"pt"}})") + "     ");
}

// A header derived by hand from the writer rules: "__metadata__" first; tensors by descending
// dtype rank (I64 > F32 > BF16 > F16 > BOOL), then name; keys dtype, shape, data_offsets;
// compact separators; 361 bytes padded by 7 spaces to 368.
CAPSULE_TEST(headerIsByteIdenticalToPythonSafetensors) {
    const NamedTensors tensors = {
        {"b", torch::zeros({3}, torch::kHalf)},      {"a", torch::zeros({2}, torch::kFloat)},
        {"c", torch::zeros({1}, torch::kLong)},      {"z", torch::zeros({2}, torch::kBool)},
        {"m", torch::zeros({1}, torch::kBFloat16)},  {"n", torch::zeros({1}, torch::kHalf)},
    };
    const std::string expected =
        R"({"__metadata__":{"format":"pt"},)"
        R"("c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
        R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
        R"("m":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]},)"
        R"("b":{"dtype":"F16","shape":[3],"data_offsets":[18,24]},)"
        R"("n":{"dtype":"F16","shape":[1],"data_offsets":[24,26]},)"
        R"("z":{"dtype":"BOOL","shape":[2],"data_offsets":[26,28]}})"
        "       ";
    COMPARE(expected.size(), size_t(368));
    COMPARE(buildSafetensorsHeader(tensors), expected);

    // The brief's one-tensor example: 85 bytes + 3 spaces.
    COMPARE(buildSafetensorsHeader({{"a", torch::zeros({2}, torch::kFloat)}}),
            std::string(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})") + "   ");
}

CAPSULE_TEST(escapesNamesLikeSerdeJson) {
    const std::string header = buildSafetensorsHeader({{"q\"\\\n\x01\xC3\xA9", torch::zeros({0}, torch::kFloat)}}, {});
    VERIFY(header.rfind(R"({"q\"\\\n\u0001)" "\xC3\xA9" R"(":{"dtype")", 0) == 0);
}

CAPSULE_TEST(roundTripsEveryDtype) {
    capsule::test::TempDir folder;
    const double inf = std::numeric_limits<double>::infinity();
    const NamedTensors tensors = {
        {"f64", torch::tensor({1.0 / 3.0, -1e300, inf, 4.9e-324}, torch::kDouble)},
        {"f32", torch::tensor({-0.0f, 1e-45f, 3.4028235e38f, 0.1f}, torch::kFloat)},
        {"f16", torch::tensor({1.5f, -2.25f, 65504.0f, 5.960464477539063e-08f}).to(torch::kHalf)},
        {"bf16", torch::tensor({1.5f, -2.25f, 65280.0f, 0.0078125f}).to(torch::kBFloat16)},
        {"i64", torch::tensor({std::numeric_limits<int64_t>::min(), int64_t(0), std::numeric_limits<int64_t>::max()}, torch::kLong)},
        {"i32", torch::tensor({-2147483647 - 1, 7, 2147483647}, torch::kInt)},
        {"i16", torch::tensor({-32768, 5, 32767}, torch::kInt).to(torch::kShort)},
        {"i8", torch::tensor({-128, 0, 127}, torch::kInt).to(torch::kChar)},
        {"u8", torch::tensor({0, 128, 255}, torch::kInt).to(torch::kByte)},
        {"bool", torch::tensor({1, 0, 1}, torch::kInt).to(torch::kBool)},
        {"c64", torch::complex(torch::tensor({1.0f, -2.0f}), torch::tensor({0.5f, 3.0f}))},
        {"scalar", torch::tensor(42.5f)},
        {"zero_size", torch::zeros({3, 0, 2}, torch::kBFloat16)},
        {"matrix", torch::arange(12, torch::kFloat).reshape({3, 4}).t()},  // non-contiguous input
    };
    const std::string path = folder.file("all.safetensors");
    writeSafetensors(path, tensors);
    const auto file = SafetensorsFile::open(path);
    COMPARE(file->metadata().at("format"), std::string("pt"));
    COMPARE(file->names().size(), tensors.size());
    for (const auto& [name, original] : tensors) {
        const auto loaded = file->tensor(name);
        COMPARE(std::string(c10::toString(loaded.scalar_type())), std::string(c10::toString(original.scalar_type())));
        COMPARE(loaded.sizes().vec(), original.sizes().vec());
        VERIFY(torch::equal(loaded, original.contiguous()));
        // The writer's alignment makes every non-empty tensor a zero-copy view.
        if (original.numel() > 0) {
            VERIFY(loaded.data_ptr() == static_cast<const void*>(file->mappedBytes() + file->info(name).fileOffsetBytes));
        }
    }
    // Bits on disk, independent of LibTorch's conversions: bf16 1.5 = 0x3FC0, f16 65504 = 0x7BFF,
    // f16 2^-24 = 0x0001 (subnormal).
    const std::string bytes = capsule::test::readFile(path);
    const TensorInfo& bf16 = file->info("bf16");
    COMPARE(bytesAt(bytes, bf16.fileOffsetBytes, 4), littleEndianBytes(0x3FC0, 2) + littleEndianBytes(0xC010, 2));
    const TensorInfo& f16 = file->info("f16");
    COMPARE(bytesAt(bytes, f16.fileOffsetBytes + 4, 4), littleEndianBytes(0x7BFF, 2) + littleEndianBytes(0x0001, 2));
    const TensorInfo& matrix = file->info("matrix");
    COMPARE(bytesAt(bytes, matrix.fileOffsetBytes, 8), float32Bytes(0.0f) + float32Bytes(4.0f));  // transposed order
    COMPARE(file->info("scalar").shape.size(), size_t(0));
    COMPARE(file->info("zero_size").sizeBytes(), uint64_t(0));
}

CAPSULE_TEST(rejectsBadInput) {
    capsule::test::TempDir folder;
    const std::string path = folder.file("bad.safetensors");
    VERIFY_THROWS(writeSafetensors(path, {{"x", torch::zeros({1})}, {"x", torch::ones({1})}}), "duplicate tensor name 'x'");
    VERIFY_THROWS(writeSafetensors(path, {{"x", torch::zeros({1}, torch::kComplexDouble)}}), "tensor 'x' has dtype");
    VERIFY_THROWS(writeSafetensors(path, {{"x", torch::Tensor()}}), "tensor 'x' is undefined");
    VERIFY_THROWS(writeSafetensors(path, {{"__metadata__", torch::zeros({1})}}), "reserved");
    VERIFY_THROWS(writeSafetensors(path, {{"bad\xff", torch::zeros({1})}}), "not valid UTF-8");
    VERIFY(!std::filesystem::exists(path));
    VERIFY_THROWS(writeSafetensors(folder.file("missing/dir/x.safetensors"), {{"x", torch::zeros({1})}}), "missing/dir/x.safetensors");
}

CAPSULE_TEST(shardedWriteAndReadWithBf16) {
    capsule::test::TempDir folder;
    torch::manual_seed(7);
    NamedTensors tensors;
    for (int layer = 0; layer < 5; ++layer) {
        tensors.push_back({"model.layers." + std::to_string(layer) + ".mlp.up_proj.weight",
                           torch::randn({16, 8}).to(torch::kBFloat16)});  // 256 bytes each
    }
    tensors.push_back({"model.embed_tokens.weight", torch::randn({40, 8}).to(torch::kBFloat16)});  // 640 > limit
    tensors.push_back({"model.norm.weight", torch::ones({8}, torch::kFloat)});                    // 32 bytes
    writeShardedSafetensors(folder.path(), tensors, /*maxShardBytes=*/600);

    // huggingface_hub's split, walking in input order: [l0,l1] (512 B); l2 overflows -> [l2,l3];
    // l4 overflows -> new shard; embed (640 B > 600) gets its own shard, pushed before the open
    // one; norm joins l4: shards [l0,l1] [l2,l3] [embed] [l4,norm].
    namespace fs = std::filesystem;
    for (int i = 1; i <= 4; ++i) {
        VERIFY(fs::exists(folder.file("model-0000" + std::to_string(i) + "-of-00004.safetensors")));
    }
    VERIFY(!fs::exists(folder.file("model-00005-of-00005.safetensors")));
    VERIFY(!fs::exists(folder.file("model.safetensors")));
    const auto index = readJsonFile(folder.file("model.safetensors.index.json"));
    COMPARE(index["metadata"]["total_size"].get<int64_t>(), int64_t(5 * 256 + 640 + 32));
    COMPARE(index["weight_map"]["model.layers.0.mlp.up_proj.weight"].get<std::string>(), std::string("model-00001-of-00004.safetensors"));
    COMPARE(index["weight_map"]["model.layers.3.mlp.up_proj.weight"].get<std::string>(), std::string("model-00002-of-00004.safetensors"));
    COMPARE(index["weight_map"]["model.embed_tokens.weight"].get<std::string>(), std::string("model-00003-of-00004.safetensors"));
    COMPARE(index["weight_map"]["model.norm.weight"].get<std::string>(), std::string("model-00004-of-00004.safetensors"));

    const CheckpointReader reader(folder.path());
    COMPARE(reader.layout().files.size(), size_t(4));
    COMPARE(reader.names().size(), tensors.size());
    COMPARE(reader.totalParameters(), int64_t(5 * 128 + 320 + 8));
    COMPARE(reader.dominantDtype(), std::string("BF16"));
    for (const auto& [name, original] : tensors) {
        VERIFY(reader.has(name));
        const auto loaded = reader.tensor(name);
        COMPARE(loaded.scalar_type(), original.scalar_type());
        VERIFY(torch::equal(loaded, original));
    }
    VERIFY_THROWS(reader.tensor("lm_head.weight"), "no tensor named 'lm_head.weight'");
}

CAPSULE_TEST(shardedWriterUsesSingleFileWhenEverythingFits) {
    capsule::test::TempDir folder;
    writeShardedSafetensors(folder.path(), {{"a", torch::ones({4})}, {"b", torch::zeros({2}, torch::kLong)}});
    VERIFY(std::filesystem::exists(folder.file("model.safetensors")));
    VERIFY(!std::filesystem::exists(folder.file("model.safetensors.index.json")));
    const CheckpointReader reader(folder.path());
    COMPARE(reader.names(), (std::vector<std::string>{"a", "b"}));
    COMPARE(reader.dominantDtype(), std::string("F32"));
}
