// capsule-cli export RUN --out DIR [--merged] [--store FILE] [--dtype D]
// RUN is a run id or name from the store. Without --merged, copies the run's adapter (HF PEFT
// layout); with --merged, loads the base model and the adapter and writes a plain HF model with
// the adapter folded in (LoRA, AdaLoRA, IA3 / T-Few). The export is recorded as an artifact.
#include "command.h"

#include "model/model_loader.h"
#include "peft/adapter.h"
#include "peft/adapter_export.h"
#include "peft/adapter_io.h"
#include "peft/merged_export.h"
#include "store/run_store.h"

#include <filesystem>
#include <iostream>

namespace capsule::cli {
namespace {

namespace fs = std::filesystem;

int exportUnchecked(const Arguments& arguments) {
    if (arguments.positional().size() != 1) throw UsageError("expected one RUN (id or name)");
    // Recorded as an artifact of the run: absolute, so the studio's History finds it from anywhere.
    const std::string out = fs::absolute(arguments.required("out")).lexically_normal().string();
    store::RunStore runStore(arguments.valueOr("store", store::RunStore::defaultPath()));
    const std::optional<store::RunRecord> run = runStore.findRun(arguments.positional()[0]);
    if (!run) throw std::runtime_error("no run '" + arguments.positional()[0] + "' in " + runStore.path());
    if (run->status == store::RunStatus::Failed)
        throw std::runtime_error("run " + std::to_string(run->id) + " failed (" +
                                 run->failureReason.substr(0, run->failureReason.find('\n')) +
                                 "), so it wrote no adapter to export; resume it from its last checkpoint or export another run");
    const std::string adapterFolder = run->outputDir;
    if (!fs::exists(fs::path(adapterFolder) / peft::kAdapterConfigFile))
        throw std::runtime_error("run " + std::to_string(run->id) + ": no adapter in " + adapterFolder +
                                 " (the run did not finish or its folder was moved)");
    store::ArtifactRecord artifact;
    artifact.runId = run->id;
    artifact.path = out;
    artifact.step = run->lastStep;
    if (arguments.has("merged")) {
        model::LoadOptions options;
        options.device = torch::Device(torch::kCPU);
        try {
            options.dtype = model::parseComputeDtype(arguments.valueOr("dtype", "float32"));
        } catch (const std::invalid_argument& error) {
            throw UsageError(error.what());
        }
        const auto network = model::loadModel(run->baseModel, options);
        const auto adapter = peft::loadAdapter(*network, adapterFolder);
        if (!adapter->supportsMerge())
            throw std::runtime_error("run " + std::to_string(run->id) + ": method " + run->method +
                                     " cannot be merged into the model (prompt-learning methods); export the adapter instead");
        peft::exportMergedModel(*network, adapter.get(), run->baseModel, out);
        artifact.kind = "merged-model";
        artifact.description = "merged model";
    } else {
        peft::exportAdapterFolder(adapterFolder, out);
        artifact.kind = "export";
        artifact.description = "adapter export";
    }
    runStore.addArtifact(artifact);
    // A name can belong to several runs (the newest is taken): say which one this was.
    std::cerr << "exported run " << run->id << " (" << run->name << ", " << run->method << ", step "
              << run->lastStep.value_or(0) << ") " << (arguments.has("merged") ? "merged into its base model " : "")
              << "to " << out << "\n";
    std::cout << out << "\n";
    return 0;
}

}  // namespace

Command exportCommand() {
    return Command{"export", "RUN --out DIR [--merged] [--store FILE]",
                   "export a run's adapter, or with --merged a model with the adapter folded in",
                   {{"out", true, "DIR", "output folder"},
                    {"merged", false, "", "merge the adapter into the base weights (LoRA, AdaLoRA, IA3)"},
                    {"dtype", true, "D", "dtype of the merged weights (default float32)"},
                    {"store", true, "FILE", "run store file"}},
                   &exportUnchecked};
}

}  // namespace capsule::cli
