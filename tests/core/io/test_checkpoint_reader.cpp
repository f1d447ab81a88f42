// CheckpointReader over model folders: single file, sharded index (hand-written index JSON),
// broken indexes, legacy .bin folders, and a single-file path.
#include "capsule_test.h"
#include "safetensors_test_files.h"

#include "io/checkpoint_reader.h"
#include "io/safetensors_writer.h"

#include <torch/torch.h>

#include <filesystem>

using namespace capsule::io;
using capsule::test::littleEndianBytes;
using capsule::test::safetensorsBytes;

namespace {

// Two shards written byte by byte (bf16 weights), and an index mapping them.
void writeHandShardedModel(const capsule::test::TempDir& folder, const std::string& indexJson) {
    // bf16: 1.0 = 0x3F80, 2.0 = 0x4000, -1.0 = 0xBF80, 0.5 = 0x3F00
    capsule::test::writeFile(folder.file("model-00001-of-00002.safetensors"),
                             safetensorsBytes(R"({"q":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})",
                                              littleEndianBytes(0x3F80, 2) + littleEndianBytes(0x4000, 2)));
    capsule::test::writeFile(folder.file("model-00002-of-00002.safetensors"),
                             safetensorsBytes(R"({"k":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]},"extra":{"dtype":"U8","shape":[1],"data_offsets":[4,5]}})",
                                              littleEndianBytes(0xBF80, 2) + littleEndianBytes(0x3F00, 2) + "x"));
    capsule::test::writeFile(folder.file("model.safetensors.index.json"), indexJson);
}

const std::string kIndex = R"({
  "metadata": {"total_size": 8},
  "weight_map": {"q": "model-00001-of-00002.safetensors", "k": "model-00002-of-00002.safetensors"}
})";

}  // namespace

CAPSULE_TEST(readsHandWrittenShardedIndex) {
    capsule::test::TempDir folder;
    writeHandShardedModel(folder, kIndex);
    const CheckpointReader reader(folder.path());
    COMPARE(reader.layout().indexPath, folder.file("model.safetensors.index.json"));
    COMPARE(reader.names(), (std::vector<std::string>{"k", "q"}));  // "extra" is not in the weight_map
    VERIFY(!reader.has("extra"));
    COMPARE(reader.info("k").shape, (std::vector<int64_t>{1, 2}));
    const auto k = reader.tensor("k").to(torch::kFloat);
    COMPARE(k[0][0].item<float>(), -1.0f);
    COMPARE(k[0][1].item<float>(), 0.5f);
    COMPARE(reader.tensor("q").to(torch::kFloat).sum().item<float>(), 3.0f);
    COMPARE(reader.totalParameters(), int64_t(4));
    COMPARE(reader.dominantDtype(), std::string("BF16"));
    // The index itself is accepted as a path too.
    COMPARE(CheckpointReader(folder.file("model.safetensors.index.json")).names().size(), size_t(2));
}

CAPSULE_TEST(indexErrorsNameTheIndexFile) {
    capsule::test::TempDir folder;
    const std::string indexPath = folder.file("model.safetensors.index.json");
    writeHandShardedModel(folder, R"({"weight_map": {"v": "model-00001-of-00002.safetensors"}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), indexPath + ": tensor 'v' is mapped to 'model-00001-of-00002.safetensors', but that shard does not contain it");
    writeHandShardedModel(folder, R"({"weight_map": {"q": "model-00009-of-00009.safetensors"}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), indexPath + ": shard 'model-00009-of-00009.safetensors' (for tensor 'q') is missing");
    writeHandShardedModel(folder, R"({"weight_map": {"q": "../outside.safetensors"}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), "not a file inside the model folder");
    writeHandShardedModel(folder, R"({"weight_map": {"q": 1}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), "weight_map entry 'q' must be a file name string");
    writeHandShardedModel(folder, R"({"metadata": {}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), indexPath + ": missing \"weight_map\"");
    writeHandShardedModel(folder, R"({"weight_map": {"q": "a", "q": "b"}})");
    VERIFY_THROWS(CheckpointReader(folder.path()), "duplicate key 'q'");
    writeHandShardedModel(folder, "{");
    VERIFY_THROWS(CheckpointReader(folder.path()), indexPath + ": invalid JSON");
}

CAPSULE_TEST(corruptShardNamesTheShard) {
    capsule::test::TempDir folder;
    writeHandShardedModel(folder, kIndex);
    capsule::test::writeFile(folder.file("model-00002-of-00002.safetensors"), "garbage");
    VERIFY_THROWS(CheckpointReader(folder.path()), folder.file("model-00002-of-00002.safetensors") + ": header too small");
}

CAPSULE_TEST(singleFileFolderAndPath) {
    capsule::test::TempDir folder;
    writeSafetensors(folder.file("model.safetensors"), {{"w", torch::ones({2, 3})}, {"b", torch::zeros({3}, torch::kHalf)}});
    const CheckpointReader fromFolder(folder.path());
    COMPARE(fromFolder.names(), (std::vector<std::string>{"b", "w"}));
    COMPARE(fromFolder.totalParameters(), int64_t(9));
    COMPARE(fromFolder.dominantDtype(), std::string("F32"));
    COMPARE(fromFolder.metadata().at("format"), std::string("pt"));
    writeSafetensors(folder.file("adapter_model.safetensors"), {{"lora_A", torch::ones({1})}});
    const CheckpointReader fromFile(folder.file("adapter_model.safetensors"));
    COMPARE(fromFile.names(), (std::vector<std::string>{"lora_A"}));
}

CAPSULE_TEST(legacyBinIsRejectedWithAdvice) {
    capsule::test::TempDir folder;
    capsule::test::writeFile(folder.file("pytorch_model.bin"), "PK\x03\x04");
    VERIFY_THROWS(CheckpointReader(folder.path()), "pytorch_model.bin) are not supported; convert the model to safetensors");
    VERIFY_THROWS(CheckpointReader(folder.file("pytorch_model.bin")), "convert the model to safetensors");
}

CAPSULE_TEST(missingWeightsAndPaths) {
    capsule::test::TempDir folder;
    VERIFY_THROWS(CheckpointReader(folder.path()), "no weights found");
    VERIFY_THROWS(CheckpointReader(folder.file("nope")), "no such file or folder");
    capsule::test::writeFile(folder.file("notes.txt"), "hi");
    VERIFY_THROWS(CheckpointReader(folder.file("notes.txt")), "not a model folder or a .safetensors file");
}

CAPSULE_TEST(dominantDtypeCountsElements) {
    std::vector<TensorInfo> infos(3);
    infos[0].name = "a"; infos[0].dtype = "F32"; infos[0].elementCount = 10;
    infos[1].name = "b"; infos[1].dtype = "BF16"; infos[1].elementCount = 6;
    infos[2].name = "c"; infos[2].dtype = "BF16"; infos[2].elementCount = 6;
    COMPARE(dominantDtypeOf(infos), std::string("BF16"));
    infos[2].elementCount = 4;
    // A tie (10 vs 10) goes to the dtype whose first tensor name sorts first: "a" (F32).
    COMPARE(dominantDtypeOf(infos), std::string("F32"));
    COMPARE(dominantDtypeOf({}), std::string());
}
