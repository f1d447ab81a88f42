#include "train/checkpoint.h"

#include "io/atomic_directory.h"
#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/json_reader.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace capsule::train {
namespace {

namespace fs = std::filesystem;

at::Generator cpuGenerator() { return at::detail::getDefaultCPUGenerator(); }

/// The training device: where the adapter's parameters live (CPU for an adapter without any).
torch::Device trainingDevice(const std::vector<torch::Tensor>& parameters) {
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

/// The generator that dropout on `device` draws from (CUDA's own on a GPU: saving only the CPU
/// state would make a resumed CUDA run with dropout diverge).
at::Generator generatorFor(const torch::Device& device) {
    return device.is_cpu() ? cpuGenerator() : at::globalContext().defaultGenerator(device);
}

/// Writes `archive` to `folder/name` through our own file writer and records its size and CRC-32
/// under `files[name]`. LibTorch's file writer must not see a full disk: its PyTorchStreamWriter
/// throws again from its destructor and the process aborts (std::terminate). Serialized in memory
/// first (checkpoints hold adapter-sized state), a failed write is an ordinary error naming the
/// file. The checksum is for the reader: LibTorch's does not verify the zip's own CRCs, so a
/// damaged file would resume with wrong values.
void saveArchive(torch::serialize::OutputArchive& archive, const std::string& folder, const std::string& name,
                 nlohmann::json& files) {
    std::string bytes;
    archive.save_to([&bytes](const void* data, size_t size) {
        bytes.append(static_cast<const char*>(data), size);
        return size;
    });
    io::writeFileAtomically((fs::path(folder) / name).string(), bytes);
    files[name] = {{"bytes", bytes.size()}, {"crc32", io::crc32Hex(io::crc32(bytes))}};
}

/// Loads `folder/name` into `archive` after checking it against `files` (trainer_state.json's
/// record; checkpoints written before it existed are loaded unchecked). Errors name the file.
void loadArchive(torch::serialize::InputArchive& archive, const std::string& folder, const std::string& name,
                 const nlohmann::json& files, const torch::Device* device = nullptr) {
    const std::string path = (fs::path(folder) / name).string();
    if (!fs::exists(path)) throw std::runtime_error(path + ": missing from the checkpoint");
    const std::string bytes = io::readTextFile(path, std::numeric_limits<std::size_t>::max());
    if (files.is_object() && files.contains(name)) {
        const nlohmann::json& expected = files.at(name);
        const std::string crc = io::crc32Hex(io::crc32(bytes));
        if (expected.value("bytes", uint64_t{0}) != bytes.size() || expected.value("crc32", std::string()) != crc)
            throw std::runtime_error(path + ": damaged (" + std::to_string(bytes.size()) + " bytes, CRC-32 " + crc +
                                     "; trainer_state.json recorded " + expected.dump() + ")");
    }
    try {
        if (device) archive.load_from(bytes.data(), bytes.size(), *device);  // c10:: or std::optional by version
        else archive.load_from(bytes.data(), bytes.size());
    } catch (const c10::Error& error) {
        throw std::runtime_error(path + ": not a readable PyTorch archive (" + error.what_without_backtrace() + ")");
    }
}

}  // namespace

std::string checkpointFolder(const std::string& out, int64_t step) {
    return (fs::path(out) / "checkpoints" / ("step-" + std::to_string(step))).string();
}

void writeCheckpoint(const std::string& folder, peft::AdapterMethod& adapter, torch::optim::Optimizer& optimizer,
                     const CheckpointState& state) {
    io::writeDirectoryAtomically(folder, [&](const std::string& temporary) {
        peft::saveAdapter(adapter, (fs::path(temporary) / "adapter").string());
        nlohmann::json files = nlohmann::json::object();  // name -> {bytes, crc32}

        torch::serialize::OutputArchive tensors;
        const std::vector<torch::Tensor> parameters = adapter.trainableParameters();
        for (size_t i = 0; i < parameters.size(); ++i)
            tensors.write("p" + std::to_string(i), parameters[i].detach().cpu());
        saveArchive(tensors, temporary, "trainable.pt", files);

        // Hook state (AdaLoRA's importance EMAs and rank pattern); an empty archive for the others.
        torch::serialize::OutputArchive hookState;
        const peft::NamedTensorList extra = adapter.trainingState();
        std::vector<std::string> extraNames;
        for (const auto& [name, tensor] : extra) {
            hookState.write("t" + std::to_string(extraNames.size()), tensor);
            extraNames.push_back(name);
        }
        saveArchive(hookState, temporary, "adapter_state.pt", files);

        torch::serialize::OutputArchive optimizerArchive;
        optimizer.save(optimizerArchive);
        saveArchive(optimizerArchive, temporary, "optimizer.pt", files);

        torch::serialize::OutputArchive rng;
        {
            at::Generator generator = cpuGenerator();
            std::lock_guard<std::mutex> lock(generator.mutex());
            rng.write("cpu", generator.get_state());
        }
        const torch::Device device = trainingDevice(parameters);
        if (!device.is_cpu()) {
            at::Generator generator = generatorFor(device);
            std::lock_guard<std::mutex> lock(generator.mutex());
            rng.write("device", generator.get_state());
        }
        saveArchive(rng, temporary, "rng.pt", files);

        nlohmann::json json = {{"format_version", kCheckpointFormatVersion},
                               {"step", state.step},
                               {"epoch", state.epoch},
                               {"batch_index", state.batchIndex},
                               {"best_metric", state.bestMetric ? nlohmann::json(*state.bestMetric) : nlohmann::json()},
                               {"best_metric_name", state.bestMetricName},
                               {"best_step", state.bestStep},
                               {"evaluations_without_improvement", state.evaluationsWithoutImprovement},
                               {"loss_scale", state.lossScale ? nlohmann::json(*state.lossScale) : nlohmann::json()},
                               {"loss_scale_finite_steps", state.lossScaleFiniteSteps},
                               {"trainable_tensors", parameters.size()},
                               {"adapter_state_tensors", extraNames},
                               {"files", files},
                               {"config", state.config}};
        io::writeFileAtomically((fs::path(temporary) / "trainer_state.json").string(), json.dump(2) + "\n");
    });
}

CheckpointState readCheckpointState(const std::string& folder) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) throw std::runtime_error(folder + ": no such checkpoint folder");
    const std::string path = (fs::path(folder) / "trainer_state.json").string();
    std::ifstream stream(path, std::ios::binary);
    if (!stream) throw std::runtime_error(path + ": not a checkpoint folder (trainer_state.json is missing)");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(stream);
        const int version = json.at("format_version").get<int>();
        if (version > kCheckpointFormatVersion)
            throw std::runtime_error("format_version " + std::to_string(version) + " is newer than this Capsule reads (" +
                                     std::to_string(kCheckpointFormatVersion) + ")");
        CheckpointState state;
        state.step = json.at("step").get<int64_t>();
        state.epoch = json.at("epoch").get<int64_t>();
        state.batchIndex = json.at("batch_index").get<int64_t>();
        if (!json.at("best_metric").is_null()) state.bestMetric = json.at("best_metric").get<double>();
        state.bestMetricName = json.value("best_metric_name", std::string());
        state.bestStep = json.value("best_step", int64_t{0});
        state.evaluationsWithoutImprovement = json.value("evaluations_without_improvement", int64_t{0});
        if (json.contains("loss_scale") && !json.at("loss_scale").is_null()) {
            state.lossScale = json.at("loss_scale").get<double>();
            if (!(*state.lossScale > 0) || !std::isfinite(*state.lossScale)) throw std::runtime_error("loss_scale must be positive");
        }
        state.lossScaleFiniteSteps = json.value("loss_scale_finite_steps", int64_t{0});
        state.config = json.at("config");
        if (state.step < 0 || state.epoch < 0 || state.batchIndex < 0) throw std::runtime_error("negative step or position");
        return state;
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path + ": " + error.what());
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(path + ": " + error.what());
    }
}

void restoreCheckpoint(const std::string& folder, peft::AdapterMethod& adapter, torch::optim::Optimizer& optimizer) {
    const nlohmann::json trainerState = io::readJsonFile((fs::path(folder) / "trainer_state.json").string());
    const nlohmann::json files = trainerState.value("files", nlohmann::json::object());
    const std::string trainablePath = (fs::path(folder) / "trainable.pt").string();
    torch::serialize::InputArchive tensors;
    loadArchive(tensors, folder, "trainable.pt", files);
    const std::vector<torch::Tensor> parameters = adapter.trainableParameters();
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < parameters.size(); ++i) {
            torch::Tensor saved;
            if (!tensors.try_read("p" + std::to_string(i), saved))
                throw std::runtime_error(trainablePath + ": tensor p" + std::to_string(i) +
                                         " is missing (the checkpoint was made with another method or config)");
            if (saved.sizes() != parameters[i].sizes())
                throw std::runtime_error(trainablePath + ": tensor p" + std::to_string(i) + " has shape " +
                                         c10::str(saved.sizes()) + ", the adapter expects " + c10::str(parameters[i].sizes()));
            parameters[i].copy_(saved);
        }
        torch::Tensor extra;
        if (tensors.try_read("p" + std::to_string(parameters.size()), extra))
            throw std::runtime_error(trainablePath + ": holds more tensors than the adapter trains");
    }
    // Format 1 checkpoints before adapter_state.pt existed carry no hook state.
    const std::string statePath = (fs::path(folder) / "adapter_state.pt").string();
    if (fs::exists(statePath)) {
        const nlohmann::json names = trainerState.value("adapter_state_tensors", nlohmann::json::array());
        torch::serialize::InputArchive hookState;
        loadArchive(hookState, folder, "adapter_state.pt", files);
        peft::NamedTensorList extra;
        for (size_t i = 0; i < names.size(); ++i) {
            torch::Tensor tensor;
            if (!hookState.try_read("t" + std::to_string(i), tensor))
                throw std::runtime_error(statePath + ": tensor " + names[i].get<std::string>() + " is missing");
            extra.emplace_back(names[i].get<std::string>(), tensor);
        }
        try {
            adapter.restoreTrainingState(extra);
        } catch (const std::runtime_error& error) {
            throw std::runtime_error(statePath + ": " + error.what());
        }
    }
    torch::serialize::InputArchive optimizerArchive;
    // Adam's moments go where the parameters are now: a checkpoint moves between CPU and CUDA.
    const torch::Device device = trainingDevice(parameters);
    loadArchive(optimizerArchive, folder, "optimizer.pt", files, &device);
    try {
        optimizer.load(optimizerArchive);
    } catch (const c10::Error& error) {
        throw std::runtime_error((fs::path(folder) / "optimizer.pt").string() + ": " + error.what_without_backtrace());
    }

    torch::serialize::InputArchive rng;
    loadArchive(rng, folder, "rng.pt", files);
    try {
        torch::Tensor state;
        rng.read("cpu", state);
        at::Generator generator = cpuGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(state);
    } catch (const c10::Error& error) {
        throw std::runtime_error((fs::path(folder) / "rng.pt").string() + ": " + error.what_without_backtrace());
    }
    // The device generator's state, when the checkpoint was written on the same kind of device.
    torch::Tensor deviceState;
    if (!device.is_cpu() && rng.try_read("device", deviceState)) {
        at::Generator generator = generatorFor(device);
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(deviceState);
    }
}

}  // namespace capsule::train
