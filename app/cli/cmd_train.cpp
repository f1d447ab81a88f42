// capsule-cli train [--config FILE] --model DIR --data FILE --method M --out DIR [options...]
// Every TrainingConfig key is a flag (snake_case key <-> kebab-case flag); flags override the
// config file. Progress (bar, loss, ETA) on stderr; --metrics-jsonl FILE gets one JSON object per
// step; the run is recorded in the run store (--store FILE, default RunStore::defaultPath()).
// Ctrl-C cancels within one step and leaves a checkpoint.
#include "command.h"
#include "train_progress.h"

#include "io/atomic_file.h"
#include "store/run_store.h"
#include "train/checkpoint.h"
#include "train/store_observer.h"
#include "train/trainer.h"
#include "train/training_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

namespace capsule::cli {
namespace {

std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted = true; }

std::vector<OptionSpec> trainOptions() {
    std::vector<OptionSpec> specs = {{"config", true, "FILE", "JSON training config (flags override it)"}};
    for (const std::string& key : train::optionKeys()) {
        const auto kind = train::optionKind(key);
        const bool isSwitch = kind == train::OptionKind::Boolean;
        specs.push_back({train::keyToFlag(key), !isSwitch, isSwitch ? "" : "VALUE", "config key \"" + key + "\""});
    }
    specs.push_back({"no-keep-best", false, "", "keep the last adapter, not the best by eval"});
    specs.push_back({"quiet", false, "", "no progress on stderr"});
    return specs;
}

}  // namespace

train::TrainingConfig trainingConfigFromArguments(const Arguments& arguments, const std::vector<std::string>& ownFlags,
                                                  bool validate) {
    nlohmann::json object = nlohmann::json::object();
    if (const auto file = arguments.value("config")) {
        std::ifstream stream(*file, std::ios::binary);
        if (!stream) throw std::runtime_error(*file + ": cannot open the training config");
        try {
            object = nlohmann::json::parse(stream);
        } catch (const nlohmann::json::exception& error) {
            throw std::runtime_error(*file + ": invalid JSON: " + error.what());
        }
        if (!object.is_object()) throw std::runtime_error(*file + ": a training config must be a JSON object");
    }
    try {
        for (const auto& [flag, value] : arguments.given()) {
            if (flag == "config" || flag == "quiet") continue;
            if (std::find(ownFlags.begin(), ownFlags.end(), flag) != ownFlags.end()) continue;
            if (flag == "no-keep-best") {
                object["keep_best"] = false;
                continue;
            }
            train::setOptionFromText(object, train::flagToKey(flag), value);
        }
        train::TrainingConfig config = train::trainingConfigFromJson(object, arguments.valueOr("config", ""));
        // Relative paths mean the working folder, and are recorded as absolute ones: the run store,
        // checkpoints and the studio's History read them later from other folders.
        for (std::string* path : {&config.model, &config.data, &config.out, &config.resume, &config.validationFile,
                                  &config.metricsJsonl, &config.store}) {
            if (!path->empty())
                *path = io::withoutTrailingSeparators(std::filesystem::absolute(*path).lexically_normal().string());
        }
        if (validate) config.validate();
        return config;
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
}

int runTraining(const train::TrainingConfig& config, bool quiet, const std::string& runLabel, train::TrainingObserver* extra) {
    const std::string storePath = config.store.empty() ? store::RunStore::defaultPath() : config.store;
    store::RunStore runStore(storePath);
    runStore.markInterruptedRuns();
    std::string out = config.out, model = config.model, data = config.data, method = config.method;
    std::optional<int64_t> continued;
    if (!config.resume.empty()) {
        // The checkpoint's config names the model, data and output folder. A folder that is no
        // checkpoint at all is refused before anything is recorded.
        const train::CheckpointState state = train::readCheckpointState(config.resume);
        try {
            const train::TrainingConfig saved = train::trainingConfigFromJson(state.config);
            out = saved.out, model = saved.model, data = saved.data, method = saved.method;
        } catch (const std::exception&) {
            // Trainer::run reports the unusable config with the checkpoint's path.
        }
        // Resuming a run's own checkpoint continues that run's row, as the studio's Resume does
        // (its metrics after the checkpoint's step are replaced by the continued ones).
        if (const auto owner = runStore.runOfCheckpoint(config.resume)) {
            const auto run = runStore.run(*owner);
            if (run && run->status != store::RunStatus::Running && run->status != store::RunStatus::Paused) continued = owner;
        }
    }
    int64_t runId = 0;
    if (continued) {
        runId = *continued;
        runStore.appendEvent(runId, "info", "continuing from the checkpoint " + config.resume + " (capsule-cli)");
    } else {
        store::RunRecord record;
        record.name = !config.runName.empty() ? config.runName
                                              : (runLabel.empty() ? std::filesystem::path(out).filename().string() : runLabel);
        record.baseModel = model;
        record.dataset = data;
        record.method = method;
        record.configJson = train::toJson(config).dump();
        record.outputDir = out;
        runId = runStore.createRun(record);
    }

    train::ObserverList observers;
    train::StoreObserver storeObserver(runStore, runId);
    observers.add(&storeObserver);
    ProgressPrinter progress(quiet);
    observers.add(&progress);
    std::unique_ptr<MetricsJsonlWriter> jsonl;
    if (!config.metricsJsonl.empty()) {
        jsonl = std::make_unique<MetricsJsonlWriter>(config.metricsJsonl);
        observers.add(jsonl.get());
    }
    observers.add(extra);

    train::TrainingControl control;
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done) {
            if (interrupted) {
                control.requestCancel();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    // Joined on every way out: a joinable std::thread destroyed by an exception aborts the process.
    struct Join {
        std::atomic<bool>& done;
        std::thread& thread;
        ~Join() {
            done = true;
            thread.join();
        }
    } join{done, watcher};
    const train::TrainingResult result = train::Trainer::run(config, observers, &control);
    done = true;
    std::signal(SIGINT, previous);
    progress.finish();
    storeObserver.flush();
    if (jsonl) {
        jsonl->finish();
        if (!jsonl->failure().empty()) std::cerr << "capsule-cli train: warning: " << jsonl->failure() << "\n";
    }
    if (!storeObserver.failure().empty())
        std::cerr << "capsule-cli train: warning: the run store " << storePath << " could not be written ("
                  << storeObserver.failure() << "); the adapter and checkpoints are not affected, but the history of run "
                  << runId << " is incomplete\n";

    switch (result.status) {
    case train::TrainingStatus::Finished:
        std::cerr << "finished: " << result.reason << "; adapter in " << result.adapterFolder << " (run " << runId << ")\n";
        if (result.lastEval)
            std::cerr << "eval loss " << result.lastEval->loss
                      << (result.lastEval->accuracy ? ", accuracy " + std::to_string(*result.lastEval->accuracy) : "") << "\n";
        return 0;
    case train::TrainingStatus::Cancelled:
        std::cerr << "cancelled at step " << result.steps << "; resume with --resume " << result.lastCheckpoint << "\n";
        return 130;
    default: throw std::runtime_error(result.reason);
    }
}

namespace {

int trainUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    const train::TrainingConfig config = trainingConfigFromArguments(arguments);
    return runTraining(config, arguments.has("quiet"), "");
}

}  // namespace

Command trainCommand() {
    return Command{"train",
                   "[--config FILE] --model DIR --data FILE --method M --out DIR [--max-steps N] [--metrics-jsonl FILE] "
                   "[--resume CHECKPOINT_DIR] [...]",
                   "fine-tune a model with a PEFT method (lora, adalora, ia3, prompt-tuning, prefix-tuning, p-tuning, t-few)",
                   trainOptions(), &trainUnchecked};
}

}  // namespace capsule::cli
