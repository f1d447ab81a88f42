// Model discovery over a fake Hugging Face cache built in a temp dir (HF_HOME set): symlinked
// blobs, refs/main, several revisions, sharded and broken snapshots, and user folders.
#include "capsule_test.h"
#include "safetensors_test_files.h"

#include "io/model_discovery.h"
#include "io/safetensors_writer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

using namespace capsule::io;
namespace fs = std::filesystem;

namespace {

std::string config(const std::string& modelType, const std::string& architectureClass) {
    return R"({"model_type": ")" + modelType + R"(", "architectures": [")" + architectureClass + R"("], "torch_dtype": "float32"})";
}

int64_t fileSize(const std::string& path) {
    return static_cast<int64_t>(fs::file_size(path));
}

void setAge(const fs::path& path, int hoursAgo) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(hoursAgo));
}

const DiscoveredModel* findByName(const std::vector<DiscoveredModel>& models, const std::string& name) {
    for (const auto& model : models) {
        if (model.name == name) return &model;
    }
    return nullptr;
}

// Points HF_HOME at `home` for the scope, with the more specific variables unset.
class HubEnvironment {
public:
    explicit HubEnvironment(const std::string& home) {
        ::setenv("HF_HOME", home.c_str(), 1);
        ::unsetenv("HF_HUB_CACHE");
        ::unsetenv("HUGGINGFACE_HUB_CACHE");
    }
};

struct FakeCache {
    capsule::test::TempDir root;
    fs::path hub;
    int64_t gpt2BlobBytes = 0;
    int64_t llamaBytes = 0;

    FakeCache() {
        hub = fs::path(root.path()) / "hf" / "hub";
        // GPT-2 with two revisions; refs/main points at the OLDER one (by mtime).
        const fs::path gpt2 = hub / "models--openai-community--gpt2-tiny";
        fs::create_directories(gpt2 / "blobs");
        fs::create_directories(gpt2 / "refs");
        capsule::test::writeFile((gpt2 / "blobs" / "cfg1").string(), config("gpt2", "GPT2LMHeadModel"));
        writeSafetensors((gpt2 / "blobs" / "w1").string(),
                         {{"transformer.wte.weight", torch::zeros({10, 4})},
                          {"transformer.h.0.attn.c_attn.weight", torch::zeros({4, 12})}});
        capsule::test::writeFile((gpt2 / "blobs" / "cfg0").string(), config("gpt2", "GPT2LMHeadModel"));
        writeSafetensors((gpt2 / "blobs" / "w0").string(), {{"transformer.wte.weight", torch::zeros({2, 2})}});
        for (const auto& [revision, suffix] : {std::pair<std::string, std::string>{"bbb", "1"}, {"aaa", "0"}}) {
            const fs::path snapshot = gpt2 / "snapshots" / revision;
            fs::create_directories(snapshot);
            fs::create_symlink("../../blobs/cfg" + suffix, snapshot / "config.json");
            fs::create_symlink("../../blobs/w" + suffix, snapshot / "model.safetensors");
        }
        setAge(gpt2 / "snapshots" / "bbb", 48);
        setAge(gpt2 / "snapshots" / "aaa", 1);
        capsule::test::writeFile((gpt2 / "refs" / "main").string(), "bbb");
        gpt2BlobBytes = fileSize((gpt2 / "blobs" / "cfg1").string()) + fileSize((gpt2 / "blobs" / "w1").string());

        // Llama, sharded bf16, no refs/main: the newest snapshot wins.
        const fs::path llama = hub / "models--meta--llama-sharded";
        for (const auto& [revision, hours] : {std::pair<std::string, int>{"r1", 30}, {"r2", 2}}) {
            const fs::path snapshot = llama / "snapshots" / revision;
            fs::create_directories(snapshot);
            capsule::test::writeFile((snapshot / "config.json").string(), config("llama", "LlamaForCausalLM"));
            const int64_t rows = revision == "r2" ? 8 : 1;
            writeShardedSafetensors(snapshot.string(),
                                    {{"model.embed_tokens.weight", torch::zeros({rows, 16}, torch::kBFloat16)},
                                     {"model.layers.0.self_attn.q_proj.weight", torch::zeros({16, 16}, torch::kBFloat16)},
                                     {"model.norm.weight", torch::zeros({16}, torch::kFloat)}},
                                    /*maxShardBytes=*/512);
            setAge(snapshot, hours);
        }
        for (const auto& entry : fs::directory_iterator(llama / "snapshots" / "r2")) llamaBytes += fileSize(entry.path().string());

        // Broken weights, unsupported architecture, no snapshot, and a dataset (ignored).
        const fs::path broken = hub / "models--org--broken" / "snapshots" / "c0ffee";
        fs::create_directories(broken);
        capsule::test::writeFile((broken / "config.json").string(), config("llama", "LlamaForCausalLM"));
        capsule::test::writeFile((broken / "model.safetensors").string(), "garbage!!");
        const fs::path bert = hub / "models--org--bert-base" / "snapshots" / "1234";
        fs::create_directories(bert);
        capsule::test::writeFile((bert / "config.json").string(), config("bert", "BertModel"));
        writeSafetensors((bert / "model.safetensors").string(), {{"w", torch::zeros({3})}});
        fs::create_directories(hub / "models--org--empty" / "snapshots");
        fs::create_directories(hub / "datasets--org--data" / "snapshots" / "x");
    }
};

}  // namespace

CAPSULE_TEST(hubCacheFolderFollowsEnvironment) {
    ::setenv("HF_HUB_CACHE", "/a/hub-cache", 1);
    ::setenv("HF_HOME", "/b/home", 1);
    COMPARE(huggingFaceHubCacheFolder(), std::string("/a/hub-cache"));
    ::unsetenv("HF_HUB_CACHE");
    ::unsetenv("HUGGINGFACE_HUB_CACHE");
    COMPARE(huggingFaceHubCacheFolder(), std::string("/b/home/hub"));
    ::unsetenv("HF_HOME");
    ::setenv("XDG_CACHE_HOME", "/c/cache", 1);
    COMPARE(huggingFaceHubCacheFolder(), std::string("/c/cache/huggingface/hub"));
    ::unsetenv("XDG_CACHE_HOME");
    ::setenv("HOME", "/d/user", 1);
    COMPARE(huggingFaceHubCacheFolder(), std::string("/d/user/.cache/huggingface/hub"));
}

CAPSULE_TEST(supportedTypesInOnePlace) {
    COMPARE(supportedModelTypes(), (std::vector<std::string>{"gpt2", "llama", "qwen2", "mistral"}));
    VERIFY(isSupportedModelType("qwen2"));
    VERIFY(!isSupportedModelType("t5"));
    COMPARE(supportedModelTypesText(), std::string("gpt2, llama, qwen2, mistral"));
}

CAPSULE_TEST(discoversFakeHubCache) {
    FakeCache cache;
    HubEnvironment environment((fs::path(cache.root.path()) / "hf").string());
    const auto models = discoverModels({});
    COMPARE(models.size(), size_t(5));  // the dataset is not a model

    const DiscoveredModel* gpt2 = findByName(models, "openai-community/gpt2-tiny");
    VERIFY(gpt2 != nullptr);
    COMPARE(fs::path(gpt2->path).filename().string(), std::string("bbb"));  // refs/main beats newer "aaa"
    COMPARE(gpt2->architecture, std::string("gpt2"));
    COMPARE(gpt2->architectureClass, std::string("GPT2LMHeadModel"));
    COMPARE(gpt2->parameterCount, int64_t(10 * 4 + 4 * 12));
    COMPARE(gpt2->dtype, std::string("F32"));
    COMPARE(gpt2->sizeOnDiskBytes, cache.gpt2BlobBytes);  // symlinks followed to the blobs
    VERIFY(gpt2->supported);
    COMPARE(gpt2->problem, std::string());

    const DiscoveredModel* llama = findByName(models, "meta/llama-sharded");
    VERIFY(llama != nullptr);
    COMPARE(fs::path(llama->path).filename().string(), std::string("r2"));  // newest without refs/main
    VERIFY(fs::exists(fs::path(llama->path) / "model.safetensors.index.json"));
    COMPARE(llama->parameterCount, int64_t(8 * 16 + 16 * 16 + 16));
    COMPARE(llama->dtype, std::string("BF16"));
    COMPARE(llama->sizeOnDiskBytes, cache.llamaBytes);
    VERIFY(llama->supported);

    const DiscoveredModel* broken = findByName(models, "org/broken");
    VERIFY(broken != nullptr);
    VERIFY(!broken->supported);
    COMPARE(broken->architecture, std::string("llama"));
    VERIFY(broken->problem.find("model.safetensors: header too large") != std::string::npos);

    const DiscoveredModel* bert = findByName(models, "org/bert-base");
    VERIFY(bert != nullptr);
    VERIFY(!bert->supported);
    COMPARE(bert->parameterCount, int64_t(3));
    VERIFY(bert->problem.find("model_type \"bert\" is not supported (supported: gpt2, llama, qwen2, mistral)") != std::string::npos);

    const DiscoveredModel* empty = findByName(models, "org/empty");
    VERIFY(empty != nullptr);
    VERIFY(!empty->supported);
    COMPARE(empty->problem, std::string("no downloaded snapshot"));

    // Sorted by name.
    for (size_t i = 1; i < models.size(); ++i) VERIFY(models[i - 1].name <= models[i].name);
}

CAPSULE_TEST(discoversExtraFolders) {
    capsule::test::TempDir root;
    HubEnvironment environment(root.file("no-hf-here"));
    const fs::path collection = fs::path(root.path()) / "models";
    fs::create_directories(collection / "my-qwen");
    capsule::test::writeFile((collection / "my-qwen" / "config.json").string(), config("qwen2", "Qwen2ForCausalLM"));
    writeSafetensors((collection / "my-qwen" / "model.safetensors").string(), {{"model.norm.weight", torch::zeros({5}, torch::kHalf)}});
    fs::create_directories(collection / "notes");
    capsule::test::writeFile((collection / "notes" / "readme.txt").string(), "not a model");
    fs::create_directories(collection / "legacy");
    capsule::test::writeFile((collection / "legacy" / "config.json").string(), config("gpt2", "GPT2LMHeadModel"));
    capsule::test::writeFile((collection / "legacy" / "pytorch_model.bin").string(), "PK");
    const fs::path direct = fs::path(root.path()) / "direct-mistral";
    fs::create_directories(direct);
    capsule::test::writeFile((direct / "config.json").string(), config("mistral", "MistralForCausalLM"));
    writeSafetensors((direct / "model.safetensors").string(), {{"a", torch::zeros({2, 2})}});

    const auto models = discoverModels({collection.string(), direct.string(), direct.string() + "/",
                                        root.file("does-not-exist")});
    COMPARE(models.size(), size_t(4));  // my-qwen, legacy, direct-mistral (once), does-not-exist
    const DiscoveredModel* qwen = findByName(models, "my-qwen");
    VERIFY(qwen != nullptr);
    VERIFY(qwen->supported);
    COMPARE(qwen->architecture, std::string("qwen2"));
    COMPARE(qwen->dtype, std::string("F16"));
    COMPARE(qwen->parameterCount, int64_t(5));
    const DiscoveredModel* legacy = findByName(models, "legacy");
    VERIFY(legacy != nullptr);
    VERIFY(!legacy->supported);
    VERIFY(legacy->problem.find("convert the model to safetensors") != std::string::npos);
    const DiscoveredModel* mistral = findByName(models, "direct-mistral");
    VERIFY(mistral != nullptr);
    VERIFY(mistral->supported);
    COMPARE(mistral->parameterCount, int64_t(4));
    const DiscoveredModel* missing = findByName(models, "does-not-exist");
    VERIFY(missing != nullptr);
    COMPARE(missing->problem, std::string("folder not found"));
}

CAPSULE_TEST(inspectNeverThrows) {
    capsule::test::TempDir root;
    const DiscoveredModel nothing = inspectModelFolder(root.file("absent"));
    VERIFY(!nothing.supported);
    COMPARE(nothing.problem, std::string("not a folder"));
    capsule::test::writeFile(root.file("config.json"), "{\"model_type\": [1]");
    const DiscoveredModel bad = inspectModelFolder(root.path());
    VERIFY(!bad.supported);
    VERIFY(bad.problem.find("config.json: invalid JSON") != std::string::npos);
    VERIFY(bad.problem.find("no weights found") != std::string::npos);
}
