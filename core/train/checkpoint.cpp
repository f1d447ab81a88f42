#include "train/checkpoint.h"

#include "io/atomic_directory.h"
#include "io/atomic_file.h"
#include "io/json_reader.h"

#include <cmath>
#include <filesystem>
#include <fstream>
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

}  // namespace

std::string checkpointFolder(const std::string& out, int64_t step) {
    return (fs::path(out) / "checkpoints" / ("step-" + std::to_string(step))).string();
}

void writeCheckpoint(const std::string& folder, peft::AdapterMethod& adapter, torch::optim::Optimizer& optimizer,
                     const CheckpointState& state) {
    io::writeDirectoryAtomically(folder, [&](const std::string& temporary) {
        peft::saveAdapter(adapter, (fs::path(temporary) / "adapter").string());

        torch::serialize::OutputArchive tensors;
        const std::vector<torch::Tensor> parameters = adapter.trainableParameters();
        for (size_t i = 0; i < parameters.size(); ++i)
            tensors.write("p" + std::to_string(i), parameters[i].detach().cpu());
        tensors.save_to((fs::path(temporary) / "trainable.pt").string());

        // Hook state (AdaLoRA's importance EMAs and rank pattern); an empty archive for the others.
        torch::serialize::OutputArchive hookState;
        const peft::NamedTensorList extra = adapter.trainingState();
        std::vector<std::string> extraNames;
        for (const auto& [name, tensor] : extra) {
            hookState.write("t" + std::to_string(extraNames.size()), tensor);
            extraNames.push_back(name);
        }
        hookState.save_to((fs::path(temporary) / "adapter_state.pt").string());

        torch::serialize::OutputArchive optimizerArchive;
        optimizer.save(optimizerArchive);
        optimizerArchive.save_to((fs::path(temporary) / "optimizer.pt").string());

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
        rng.save_to((fs::path(temporary) / "rng.pt").string());

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
    const std::string trainablePath = (fs::path(folder) / "trainable.pt").string();
    torch::serialize::InputArchive tensors;
    tensors.load_from(trainablePath);
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
        const nlohmann::json names = io::readJsonFile((fs::path(folder) / "trainer_state.json").string()).value(
            "adapter_state_tensors", nlohmann::json::array());
        torch::serialize::InputArchive hookState;
        hookState.load_from(statePath);
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
    optimizerArchive.load_from((fs::path(folder) / "optimizer.pt").string(), device);
    optimizer.load(optimizerArchive);

    torch::serialize::InputArchive rng;
    rng.load_from((fs::path(folder) / "rng.pt").string());
    torch::Tensor state;
    rng.read("cpu", state);
    {
        at::Generator generator = cpuGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(state);
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
