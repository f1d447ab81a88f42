// bench_dataset: end-to-end dataset loading (read, parse, render the Alpaca prompt, tokenize,
// split) of a generated 50k-row Alpaca JSONL with the gpt2 fixture tokenizer, on 1 thread and on
// every hardware thread, plus the padding share of length-bucketed vs plain batches.
// Usage: bench_dataset [ROWS] [THREADS]   (defaults: 50000, hardware_concurrency)
#include "data/batcher.h"
#include "data/dataset_loader.h"
#include "data/seeded_random.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace capsule::data;
namespace fs = std::filesystem;

namespace {

const char* kWords[] = {"the", "model", "learns", "from", "examples", "and", "a", "response", "should", "be",
                        "clear", "concise", "data", "training", "language", "token", "write", "explain", "why",
                        "how", "numbers", "list", "three", "colors", "summary", "of", "paragraph", "Paris",
                        "France", "capital", "quickly", "carefully", "question", "answer", "because", "is"};

std::string words(SeededRandom& random, int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
        text += i ? " " : "";
        text += kWords[random.below(sizeof(kWords) / sizeof(kWords[0]))];
        if (random.below(12) == 0) text += i % 2 ? "," : ".";
    }
    return text;
}

void writeAlpaca(const std::string& path, int rows) {
    SeededRandom random(2024);
    std::ofstream out(path);
    for (int r = 0; r < rows; ++r) {
        const std::string instruction = words(random, 5 + static_cast<int>(random.below(25)));
        const std::string input = random.below(2) ? words(random, 3 + static_cast<int>(random.below(20))) : "";
        const std::string output = words(random, 10 + static_cast<int>(random.below(110)));
        out << "{\"instruction\": \"" << instruction << "\", \"input\": \"" << input << "\", \"output\": \"" << output
            << "\"}\n";
    }
}

double loadSeconds(const std::string& path, const capsule::tokenizer::Tokenizer& tokenizer, int threads,
                   LoadedDataset* keep) {
    DatasetOptions options;
    options.threadCount = threads;
    options.maxLengthTokens = 512;
    options.validationFraction = 0.02;
    const auto start = std::chrono::steady_clock::now();
    LoadedDataset data = loadDataset(path, tokenizer, std::nullopt, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (keep) *keep = std::move(data);
    return seconds;
}

}  // namespace

int main(int argc, char** argv) {
    const int rows = argc > 1 ? std::atoi(argv[1]) : 50000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const fs::path folder = fs::temp_directory_path() / ("capsule-bench-dataset-" + std::to_string(::getpid()));
    fs::create_directories(folder);
    const std::string path = (folder / "alpaca.jsonl").string();
    writeAlpaca(path, rows);
    std::printf("dataset: %d Alpaca rows, %.1f MB\n", rows, static_cast<double>(fs::file_size(path)) / 1e6);

    const auto tokenizerStart = std::chrono::steady_clock::now();
    const auto tokenizer = capsule::tokenizer::Tokenizer::fromDirectory(std::string(CAPSULE_SOURCE_DIR) +
                                                                        "/tests/fixtures/tokenizers/gpt2");
    std::printf("gpt2 tokenizer load: %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - tokenizerStart).count());

    // Cold runs would include the tokenizer's word cache filling; warm it so both runs compare alike.
    loadSeconds(path, tokenizer, threads, nullptr);
    LoadedDataset data;
    const double single = loadSeconds(path, tokenizer, 1, nullptr);
    const double parallel = loadSeconds(path, tokenizer, threads, &data);
    const double tokens = static_cast<double>(data.summary.trainTokens);
    std::printf("load, 1 thread:   %.2f s (%.0f rows/s)\n", single, rows / single);
    std::printf("load, %d threads: %.2f s (%.0f rows/s, %.2f M train tokens/s)\n", threads, parallel, rows / parallel,
                tokens / parallel / 1e6);
    std::printf("speed-up: %.2fx on %d threads\n", single / parallel, threads);
    std::printf("summary: %s\n", data.summary.describe().c_str());

    BatcherOptions batching;
    batching.batchSize = 16;
    const Batcher bucketed(data.train, padIdFor(tokenizer.specialTokens()), batching);
    batching.bucketByLength = false;
    Batcher plain(data.train, padIdFor(tokenizer.specialTokens()), batching);
    std::printf("padding share, batch 16: bucketed %.1f%%, unbucketed %.1f%%\n", 100.0 * bucketed.epochPaddingFraction(0),
                100.0 * plain.epochPaddingFraction(0));
    const auto batchStart = std::chrono::steady_clock::now();
    for (int64_t b = 0; b < plain.batchesPerEpoch(); ++b) plain.next();
    std::printf("tensor batches: %lld in %.2f s\n", static_cast<long long>(plain.batchesPerEpoch()),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - batchStart).count());
    fs::remove_all(folder);
    return 0;
}
