#include "capsule_test.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace capsule::test {
namespace {

struct Entry {
    const char* name;
    TestFunction function;
};

std::vector<Entry>& registry() {
    static std::vector<Entry> entries;
    return entries;
}

std::string programName(const char* argv0) {
    std::string name = argv0 ? argv0 : "test";
    const auto slash = name.find_last_of('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace

void registerTest(const char* name, TestFunction function) {
    registry().push_back({name, function});
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "capsule-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string fixturesDir() {
    return CAPSULE_TEST_FIXTURES;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure{"cannot open " + path};
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Failure{"cannot write " + path};
}

}  // namespace capsule::test

int main(int argc, char** argv) {
    using namespace capsule::test;
    const std::string program = programName(argv[0]);
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-functions") == 0) {
            for (const auto& entry : registry()) std::cout << entry.name << "()\n";
            return 0;
        }
        only.emplace_back(argv[i]);
    }
    std::cout << "********* Start testing of " << program << " *********" << std::endl;
    int passed = 0, failed = 0, skipped = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& entry : registry()) {
        if (!only.empty() && std::find(only.begin(), only.end(), entry.name) == only.end()) continue;
        const std::string label = program + "::" + entry.name + "()";
        const auto begin = std::chrono::steady_clock::now();
        try {
            entry.function();
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - begin).count();
            std::cout << "PASS   : " << label << " (" << ms << " ms)" << std::endl;
            ++passed;
        } catch (const Skipped& skip) {
            std::cout << "SKIP   : " << label << " " << skip.message << std::endl;
            ++skipped;
        } catch (const Failure& failure) {
            std::cout << "FAIL!  : " << label << " " << failure.message << std::endl;
            ++failed;
        } catch (const std::exception& error) {
            std::cout << "FAIL!  : " << label << " unexpected exception: " << error.what() << std::endl;
            ++failed;
        } catch (...) {
            std::cout << "FAIL!  : " << label << " unexpected non-standard exception" << std::endl;
            ++failed;
        }
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start).count();
    std::cout << "Totals: " << passed << " passed, " << failed << " failed, " << skipped
              << " skipped, " << ms << "ms" << std::endl;
    std::cout << "********* Finished testing of " << program << " *********" << std::endl;
    if (passed + failed == 0 && skipped == 0) {
        std::cout << "no test functions ran" << std::endl;
        return 1;
    }
    return failed > 255 ? 255 : failed;
}
