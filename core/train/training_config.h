#pragma once
// Everything a training run is configured with, as one plain struct, and its JSON form: the file
// the GUI saves and `capsule-cli train --config FILE` reads. Every CLI flag has a JSON key, the
// snake_case of the flag (`--lora-alpha` <-> "lora_alpha"); method options carry PEFT's config
// field names (architecture.md, capsule-cli contract). No LibTorch here.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::train {

/// The CLI method names, exactly: lora, adalora, ia3, prompt-tuning, prefix-tuning, p-tuning, t-few.
const std::vector<std::string>& methodNames();

struct TrainingConfig {
    // --- what to train on, where results go
    std::string model;          // model folder (config.json, weights, tokenizer)
    std::string data;           // dataset file
    std::string method = "lora";
    std::string out;            // output folder: final adapter, checkpoints/, best/
    std::string runName;        // run name in the store ("" -> derived from out)
    std::string resume;         // checkpoint folder to continue from ("" = fresh run)

    // --- dataset (core/data options)
    std::string format;           // "" = auto-detect; else a data::formatName()
    /// "canonical=column" entries: the file's own key for a canonical field, e.g.
    /// {"instruction=question", "output=answer"} (data::DatasetOptions::columnMapping).
    std::vector<std::string> columnMapping;
    std::string templateName;     // JSON "template"; "" = auto
    int64_t maxLength = 512;      // tokens per example
    bool packing = false;
    double validationFraction = 0.1;
    std::string validationFile;

    // --- optimisation
    int64_t maxSteps = 0;               // optimizer steps; 0 = epochs decide
    double epochs = 1.0;                // used when maxSteps == 0
    int64_t batchSize = 8;
    int64_t gradientAccumulation = 1;   // micro-batches per optimizer step
    double lr = 0.0;                    // 0 = the method's default (defaultLearningRate)
    double weightDecay = 0.0;           // AdamW, decoupled
    double adamBeta1 = 0.9;
    double adamBeta2 = 0.999;
    double adamEpsilon = 1e-8;
    std::string schedule = "linear";    // constant, linear, cosine
    int64_t warmupSteps = 0;
    double warmupRatio = 0.0;           // used when warmupSteps == 0
    double maxGradNorm = 1.0;           // <= 0: no clipping (the norm is still reported)
    uint64_t seed = 42;
    std::string dtype = "auto";         // auto, float32, bfloat16, float16
    std::string device = "auto";        // auto, cpu, cuda, cuda:N
    std::string lossScale = "auto";     // auto (dynamic for float16), off, dynamic, or an initial scale

    // --- evaluation, stopping, checkpoints, logging
    int64_t evalEvery = 0;               // steps; 0 = only at the end
    int64_t evalBatchSize = 0;           // 0 = batchSize
    bool evalAtStart = false;            // evaluate the untrained adapter first (a baseline at step 0)
    int64_t earlyStoppingPatience = 0;   // evaluations without improvement; 0 = never stop early
    bool keepBest = true;                // the final adapter is the best one by eval
    int64_t checkpointEvery = 0;         // steps; 0 = only when stopped early / cancelled
    int64_t logEvery = 1;                // steps between reading the loss off the device
    std::string metricsJsonl;            // CLI: one JSON object per step
    std::string store;                   // run store file ("" = RunStore::defaultPath())
    int64_t threads = 0;                 // torch intra-op threads; 0 = leave as is

    // --- LoRA / AdaLoRA (PEFT field names)
    int64_t r = 8;
    double loraAlpha = 8;       // PEFT LoraConfig default
    double loraDropout = 0.0;
    std::vector<std::string> targetModules;  // empty = PEFT's per-architecture default
    bool useRslora = false;
    int64_t initR = 12;
    int64_t targetR = 8;
    int64_t tinit = 0;
    int64_t tfinal = 0;
    int64_t deltaT = 1;
    double beta1 = 0.85;
    double beta2 = 0.85;
    double orthRegWeight = 0.5;
    // --- IA3 / T-Few
    std::vector<std::string> feedforwardModules;  // empty = default
    double mcLoss = 1.0;
    double unlikelyLoss = 1.0;
    double lengthNorm = 1.0;
    // --- prompt learning
    int64_t numVirtualTokens = 20;
    std::string promptTuningInit = "RANDOM";  // RANDOM, SAMPLE_VOCAB, TEXT
    std::string promptTuningInitText;
    bool prefixProjection = false;
    std::string encoderReparameterizationType = "MLP";
    int64_t encoderHiddenSize = 0;  // 0 = token_dim

    /// Throws std::invalid_argument naming the option at fault.
    void validate() const;
};

/// The learning rate used when config.lr is 0: 2e-4 LoRA/AdaLoRA, 3e-3 IA3/T-Few, 3e-2 prompt
/// methods (their usual ranges).
double defaultLearningRate(const std::string& method);

/// Every key, including the defaults. Round-trips through trainingConfigFromJson.
nlohmann::json toJson(const TrainingConfig& config);
/// Reads an object; missing keys keep their defaults; unknown keys and wrong types throw
/// std::invalid_argument naming the key (and `sourceName` when given).
TrainingConfig trainingConfigFromJson(const nlohmann::json& object, const std::string& sourceName = {});
/// Reads a JSON config file; throws std::runtime_error naming the file.
TrainingConfig loadTrainingConfig(const std::string& path);

/// The type of a config key ("lora_alpha" -> number ...), for flags: nullopt for unknown keys.
enum class OptionKind { String, Integer, Number, Boolean, StringList };
std::optional<OptionKind> optionKind(const std::string& key);
/// Every JSON key, in declaration order (the CLI derives its flags from them).
std::vector<std::string> optionKeys();
/// Sets `key` in `object` from the text of a CLI flag ("" for a bare switch = true), parsed by
/// its kind ("a,b" lists). Throws std::invalid_argument "option --<flag>: ..." for bad values.
void setOptionFromText(nlohmann::json& object, const std::string& key, const std::string& text);
/// "lora-alpha" -> "lora_alpha" and back.
std::string flagToKey(const std::string& flag);
std::string keyToFlag(const std::string& key);

}  // namespace capsule::train
