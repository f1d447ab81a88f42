#pragma once
// Observers capsule-cli train / demo use: a progress line on stderr (bar, step, loss, lr, tokens/s,
// ETA) and the --metrics-jsonl writer (one JSON object per logged step with the contract's fields:
// step, loss, lr, tokens_per_s, and for AdaLoRA budget and rank).
#include "arguments.h"
#include "train/training_config.h"
#include "train/training_observer.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

namespace capsule::cli {

class ProgressPrinter : public train::TrainingObserver {
public:
    /// On a terminal the line is redrawn in place; otherwise (a log file, CI) one line per ~5 %.
    explicit ProgressPrinter(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}
    void onStep(const train::StepMetrics& m) override {
        if (quiet_) return;
        const int64_t every = std::max<int64_t>(1, m.maxSteps / 20);
        if (!terminal_ && m.step % every != 0 && m.step != m.maxSteps) return;
        const int width = 24;
        const double fraction = m.maxSteps > 0 ? static_cast<double>(m.step) / static_cast<double>(m.maxSteps) : 0.0;
        const int filled = std::min(width, static_cast<int>(fraction * width));
        char line[256];
        const long eta = static_cast<long>(m.etaSeconds + 0.5);
        std::snprintf(line, sizeof line, "%s[%s%s] step %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  ETA %ld:%02ld ",
                      terminal_ ? "\r" : "", std::string(static_cast<size_t>(filled), '#').c_str(),
                      std::string(static_cast<size_t>(width - filled), '.').c_str(), static_cast<long long>(m.step),
                      static_cast<long long>(m.maxSteps), m.loss, m.lr, m.tokensPerSecond, eta / 60, eta % 60);
        std::cerr << line << (terminal_ ? "" : "\n") << std::flush;
        open_ = terminal_;
    }
    void onEval(const train::EvalMetrics& m) override {
        if (quiet_) return;
        endLine();
        std::cerr << "eval at step " << m.step << ": loss " << m.loss << ", perplexity " << m.perplexity;
        if (m.accuracy) std::cerr << ", accuracy " << *m.accuracy;
        std::cerr << (m.improved ? " (best)" : "") << "\n";
    }
    void onLog(train::LogLevel level, const std::string& message) override {
        if (quiet_ && level == train::LogLevel::Info) return;
        endLine();
        std::cerr << (level == train::LogLevel::Warning ? "warning: " : level == train::LogLevel::Error ? "error: " : "")
                  << message << "\n";
    }
    void finish() { endLine(); }

private:
    void endLine() {
        if (open_) std::cerr << "\n";
        open_ = false;
    }
    bool quiet_;
    bool terminal_;
    bool open_ = false;
};

/// One JSON object per logged step. An evaluation at that step adds eval_loss, eval_perplexity and
/// eval_accuracy to the step's object (a baseline evaluation before step 1 gets an object of its own
/// with step 0), so every object keeps the contract's fields.
class MetricsJsonlWriter : public train::TrainingObserver {
public:
    explicit MetricsJsonlWriter(const std::string& path) : path_(path), stream_(path, std::ios::binary | std::ios::trunc) {
        if (!stream_) throw std::runtime_error(path + ": cannot write the metrics file (--metrics-jsonl)");
    }
    /// Why the file is incomplete ("" while every line was written): a full disk must not go
    /// unnoticed by the script reading the file, nor stop the training.
    const std::string& failure() const { return failure_; }
    /// Writes the last line now.
    void finish() { writePending(); }
    ~MetricsJsonlWriter() override { writePending(); }
    void onRanks(const peft::RankSnapshot& snapshot) override { ranks_ = snapshot; }
    void onStep(const train::StepMetrics& m) override {
        writePending();
        pending_ = nlohmann::json{{"step", m.step},         {"loss", m.loss},
                                  {"lr", m.lr},             {"tokens_per_s", m.tokensPerSecond},
                                  {"grad_norm", m.gradNorm}, {"epoch", m.epoch},
                                  {"samples_per_s", m.samplesPerSecond}, {"elapsed_s", m.elapsedSeconds},
                                  {"memory_bytes", m.memoryBytes}};
        if (m.gpuMemoryBytes > 0) (*pending_)["gpu_memory_bytes"] = m.gpuMemoryBytes;
        if (ranks_ && ranks_->step == m.step) {
            (*pending_)["budget"] = ranks_->budget;
            (*pending_)["rank"] = ranks_->totalRank;
        }
    }
    void onEval(const train::EvalMetrics& m) override {
        if (!pending_ || (*pending_)["step"].get<int64_t>() != m.step) {
            writePending();
            pending_ = nlohmann::json{{"step", m.step}};
        }
        (*pending_)["eval_loss"] = m.loss;
        (*pending_)["eval_perplexity"] = m.perplexity;
        if (m.accuracy) (*pending_)["eval_accuracy"] = *m.accuracy;
        writePending();
    }
    void onStatus(const train::StatusChange&) override { writePending(); }

private:
    void writePending() {
        if (!pending_) return;
        const int64_t step = (*pending_)["step"].get<int64_t>();
        if (failure_.empty()) {
            errno = 0;
            stream_ << pending_->dump() << "\n" << std::flush;
            if (!stream_)
                failure_ = path_ + ": the metrics file stops before step " + std::to_string(step) + " (" +
                           (errno ? std::strerror(errno) : "write failed") + ")";
        }
        pending_.reset();
    }
    std::string path_;
    std::string failure_;
    std::ofstream stream_;
    std::optional<peft::RankSnapshot> ranks_;
    std::optional<nlohmann::json> pending_;
};

/// Shared by train, demo and icl (cmd_train.cpp): --config FILE, then every other flag as its
/// config key, except `ownFlags` (the command's own options). `validate`: TrainingConfig::validate().
/// Throws UsageError naming the option.
train::TrainingConfig trainingConfigFromArguments(const Arguments& arguments, const std::vector<std::string>& ownFlags = {},
                                                  bool validate = true);
/// Runs one training with the progress printer, the metrics file and the run store; `extra` (may be
/// null) observes too. Returns the exit code.
int runTraining(const train::TrainingConfig& config, bool quiet, const std::string& runLabel,
                train::TrainingObserver* extra = nullptr);

}  // namespace capsule::cli
