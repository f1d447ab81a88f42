#pragma once
// A capsule-cli subcommand. Each command lives in its own file (cmd_<name>.cpp) and is listed in
// commands.cpp. Commands print results on stdout, progress and the one-line error on stderr.
#include "arguments.h"

#include <string>
#include <vector>

namespace capsule::cli {

struct Command {
    std::string name;                 // "info"
    std::string synopsis;             // "MODEL_DIR [--json]"
    std::string summary;              // one line for the command list
    std::vector<OptionSpec> options;  // accepted --options
    int (*run)(const Arguments& arguments) = nullptr;  // returns the exit code; throws on error
};

/// Every command, in the order `capsule-cli --help` lists them.
const std::vector<Command>& allCommands();

// One factory per command file.
Command systemCommand();
Command infoCommand();
Command forwardCommand();
Command generateCommand();
Command tokenizeCommand();
Command trainCommand();
Command runsCommand();
Command exportCommand();
Command demoCommand();
Command iclCommand();

}  // namespace capsule::cli
