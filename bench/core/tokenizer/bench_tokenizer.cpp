// bench_tokenizer: single-thread encode throughput (MB/s, tokens/s) of the fixture tokenizers on
// ~1 MB of English + code (the repository's own sources and docs, concatenated in sorted order and
// cut at 1 MiB), cold (empty word cache) and warm, as one big text and as lines (many short calls,
// as dataset tokenization does). Rates are per thread-CPU-second (CLOCK_THREAD_CPUTIME_ID: time this
// thread actually ran, so other processes on a busy machine do not distort the per-core number),
// with the wall-clock rate of the same runs alongside.
// Usage: bench_tokenizer [FIXTURES_DIR] [TEXT_FILE]
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <time.h>

using capsule::tokenizer::Tokenizer;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
}

bool isValidUtf8(const std::string& text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        i += length;
    }
    return true;
}

std::string corpus(const std::string& explicitFile) {
    constexpr size_t kTargetBytes = 1 << 20;
    if (!explicitFile.empty()) return readAll(explicitFile);
    std::vector<fs::path> files;
    for (const char* root : {"core", "app", "tests/core", "bench", "installer"}) {
        const fs::path folder = fs::path(CAPSULE_SOURCE_DIR) / root;
        if (!fs::exists(folder)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(folder)) {
            const std::string extension = entry.path().extension().string();
            if (entry.is_regular_file() && (extension == ".cpp" || extension == ".h" || extension == ".md" || extension == ".sh"))
                files.push_back(entry.path());
        }
    }
    for (const fs::path& docs : {fs::path(CAPSULE_SOURCE_DIR) / "../shared/docs", fs::path("/work/shared/docs")}) {
        if (!fs::exists(docs)) continue;
        for (const auto& entry : fs::directory_iterator(docs))
            if (entry.path().extension() == ".md") files.push_back(entry.path());
        break;
    }
    std::sort(files.begin(), files.end());
    std::string text;
    while (text.size() < kTargetBytes && !files.empty()) {
        for (const fs::path& file : files) {
            const std::string content = readAll(file);
            if (!isValidUtf8(content)) continue;
            text += content;
            if (text.size() >= kTargetBytes) break;
        }
    }
    size_t cut = std::min(text.size(), kTargetBytes);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return text;
}

struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    double cpu = threadCpuSeconds();
    static double threadCpuSeconds() {
        timespec now{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
    }
};
struct Elapsed {
    double cpu = 1e9, wall = 1e9;
    void keepBest(const Clock& start) {
        cpu = std::min(cpu, Clock::threadCpuSeconds() - start.cpu);
        wall = std::min(wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - start.wall).count());
    }
};

void report(const char* label, double megabytes, size_t tokens, const Elapsed& elapsed) {
    std::printf("        %-26s %7.2f MB/s %6.2f M tokens/s per core | wall: %6.2f M tokens/s\n", label,
                megabytes / elapsed.cpu, static_cast<double>(tokens) / elapsed.cpu / 1e6,
                static_cast<double>(tokens) / elapsed.wall / 1e6);
}

void bench(const std::string& name, const std::string& folder, const std::string& text, const std::vector<std::string>& lines) {
    Clock loadStart;
    const Tokenizer tokenizer = Tokenizer::fromDirectory(folder);
    Elapsed load;
    load.keepBest(loadStart);

    const double megabytes = static_cast<double>(text.size()) / 1e6;
    Elapsed cold, warm, byLines;
    Clock start;
    const size_t tokens = tokenizer.encode(text, false).size();
    cold.keepBest(start);
    for (int run = 0; run < 5; ++run) {
        Clock again;
        const size_t count = tokenizer.encode(text, false).size();
        warm.keepBest(again);
        if (count != tokens) std::printf("  warning: token count changed between runs\n");
    }
    size_t lineTokens = 0;
    for (int run = 0; run < 3; ++run) {
        Clock again;
        size_t count = 0;
        for (const std::string& line : lines) count += tokenizer.encode(line, false).size();
        byLines.keepBest(again);
        lineTokens = count;
    }
    std::printf("%-7s load %.2f s | %zu tokens (%.2f bytes/token)\n", name.c_str(), load.wall, tokens,
                static_cast<double>(text.size()) / static_cast<double>(tokens));
    report("one text, cold word cache", megabytes, tokens, cold);
    report("one text, warm word cache", megabytes, tokens, warm);
    report(("line by line (" + std::to_string(lines.size()) + ")").c_str(), megabytes, lineTokens, byLines);
    std::printf("        warm/cold speed-up %.2fx, one-text/line-by-line time ratio %.2f\n", cold.cpu / warm.cpu,
                warm.cpu / byLines.cpu);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string fixtures =
        argc > 1 ? argv[1] : (fs::path(CAPSULE_SOURCE_DIR) / "tests/fixtures/tokenizers").string();
    const std::string text = corpus(argc > 2 ? argv[2] : "");
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
    }
    std::printf("corpus: %.3f MB, %zu lines, single thread\n", static_cast<double>(text.size()) / 1e6, lines.size());
    for (const char* name : {"gpt2", "qwen3", "sp-bpe"}) {
        const std::string folder = (fs::path(fixtures) / name).string();
        if (!fs::exists(folder)) {
            std::printf("%-7s missing (%s)\n", name, folder.c_str());
            continue;
        }
        bench(name, folder, text, lines);
    }
    return 0;
}
