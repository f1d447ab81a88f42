#pragma once
// A small Qt-Test-style harness for the core tests. Core must build and be tested on machines
// without Qt (GPU servers, -DCAPSULE_BUILD_GUI=OFF), so its tests cannot use QtTest; this header
// keeps QtTest's shape: one executable per unit, named test functions, PASS/FAIL/SKIP lines and a
// "Totals: N passed, N failed, N skipped" summary, exit code = number of failures.
//
//   CAPSULE_TEST(readsHeader) { VERIFY(x == 1); COMPARE(a, b); COMPARE_NEAR(x, y, 1e-6); }
// (Not CHECK_*: glog, which LibTorch includes, owns those names.)
//   VERIFY_THROWS(expr, "substring of what()");  SKIP_TEST("no CUDA");
//
// Run `test_x name1 name2` to run only those functions; `-functions` lists them.

#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace capsule::test {

struct Failure {
    std::string message;
};
struct Skipped {
    std::string message;
};

using TestFunction = void (*)();
void registerTest(const char* name, TestFunction function);

struct Registrar {
    Registrar(const char* name, TestFunction function) { registerTest(name, function); }
};

template <typename T>
std::string describe(const T& value) {
    std::ostringstream out;
    if constexpr (std::is_same_v<T, bool>) {
        out << (value ? "true" : "false");
    } else if constexpr (std::is_same_v<T, std::string> || std::is_convertible_v<T, const char*>) {
        out << '"' << value << '"';
    } else if constexpr (std::is_arithmetic_v<T>) {
        out.precision(10);
        out << value;
    } else {
        out << "<value>";
    }
    return out.str();
}

template <typename T>
std::string describe(const std::vector<T>& values) {
    std::string text = "[";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) text += ", ";
        if (i == 32) {
            text += "... (" + std::to_string(values.size()) + " items)";
            break;
        }
        text += describe(values[i]);
    }
    return text + "]";
}

[[noreturn]] inline void fail(const std::string& what, const char* file, int line) {
    throw Failure{what + "\n   Loc: [" + file + "(" + std::to_string(line) + ")]"};
}

/// Temporary directory removed at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// Folder of committed fixtures (tests/fixtures).
std::string fixturesDir();
/// Reads a whole file; throws Failure when it cannot.
std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& bytes);

}  // namespace capsule::test

#define CAPSULE_TEST(name)                                                        \
    static void name();                                                           \
    static const capsule::test::Registrar name##_registrar_(#name, &name);        \
    static void name()

#define VERIFY(condition)                                                                        \
    do {                                                                                        \
        if (!(condition)) capsule::test::fail("'" #condition "' returned FALSE.", __FILE__, __LINE__); \
    } while (0)

#define COMPARE(actual, expected)                                                              \
    do {                                                                                        \
        const auto capsule_a_ = (actual); /* copies: `actual` may live in a temporary */ \
        const auto capsule_e_ = (expected);                                                     \
        if (!(capsule_a_ == capsule_e_))                                                        \
            capsule::test::fail("Compared values are not the same\n   Actual   (" #actual "): " + \
                                    capsule::test::describe(capsule_a_) +                       \
                                    "\n   Expected (" #expected "): " +                          \
                                    capsule::test::describe(capsule_e_),                        \
                                __FILE__, __LINE__);                                            \
    } while (0)

#define COMPARE_NEAR(actual, expected, tolerance)                                                 \
    do {                                                                                        \
        const double capsule_a_ = static_cast<double>(actual);                                  \
        const double capsule_e_ = static_cast<double>(expected);                                \
        if (!(std::fabs(capsule_a_ - capsule_e_) <= (tolerance)))                               \
            capsule::test::fail("Values differ by more than " #tolerance "\n   Actual   (" #actual \
                                "): " + capsule::test::describe(capsule_a_) +                   \
                                    "\n   Expected (" #expected "): " +                          \
                                    capsule::test::describe(capsule_e_),                        \
                                __FILE__, __LINE__);                                            \
    } while (0)

#define VERIFY_THROWS(expression, substring)                                                \
    do {                                                                                        \
        bool capsule_threw_ = false;                                                            \
        try {                                                                                   \
            (void)(expression);                                                                 \
        } catch (const std::exception& capsule_error_) {                                        \
            capsule_threw_ = true;                                                              \
            const std::string capsule_what_ = capsule_error_.what();                            \
            if (capsule_what_.find(substring) == std::string::npos)                             \
                capsule::test::fail("Exception message lacks \"" + std::string(substring) +     \
                                        "\": \"" + capsule_what_ + "\"",                        \
                                    __FILE__, __LINE__);                                        \
        }                                                                                       \
        if (!capsule_threw_)                                                                    \
            capsule::test::fail("'" #expression "' did not throw", __FILE__, __LINE__);         \
    } while (0)

#define SKIP_TEST(message) throw capsule::test::Skipped{message}
