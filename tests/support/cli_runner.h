#pragma once
// Runs the built capsule-cli (CAPSULE_BINARY_DIR/app/capsule-cli, defined for every test by
// capsule_add_test) through the shell, capturing exit code, stdout and stderr, for the tests that
// check the CLI end to end.
#include "capsule_test.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace capsule::test {

struct CliResult {
    int exitCode = -1;  // -1 when the process did not exit normally
    std::string out;
    std::string err;
};

/// Single-quotes `text` for /bin/sh.
inline std::string shellQuote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

inline std::string cliPath() {
    return CAPSULE_BINARY_DIR "/app/capsule-cli";
}

/// Runs capsule-cli with `arguments` (in `workingFolder` when given); stdout/stderr go through
/// files in `scratch`. A non-zero exit prints stderr, so a failing test shows why.
inline CliResult runCli(const TempDir& scratch, const std::vector<std::string>& arguments,
                        const std::string& workingFolder = {}) {
    std::string command = (workingFolder.empty() ? std::string() : "cd " + shellQuote(workingFolder) + " && ") +
                          shellQuote(cliPath());
    for (const std::string& argument : arguments) command += " " + shellQuote(argument);
    command += " > " + shellQuote(scratch.file("stdout.txt")) + " 2> " + shellQuote(scratch.file("stderr.txt"));
    const int status = std::system(command.c_str());
    CliResult result;
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = readFile(scratch.file("stdout.txt"));
    result.err = readFile(scratch.file("stderr.txt"));
    if (result.exitCode != 0) std::printf("capsule-cli exited with %d; stderr:\n%s\n", result.exitCode, result.err.c_str());
    return result;
}

}  // namespace capsule::test
