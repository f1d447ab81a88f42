// capsule-cli: the headless entry point. A thin command layer over core (no Qt); the command and
// flag names are a public contract (shared/docs/architecture.md): add, never rename.
#include "command.h"

#include "capsule/version.h"
#include "runtime/runtime.h"

#include <cstring>
#include <exception>
#include <iostream>

namespace {

using capsule::cli::allCommands;
using capsule::cli::Command;

void printHelp(std::ostream& out) {
    out << "capsule-cli " CAPSULE_VERSION_STRING
           " - parameter-efficient fine-tuning of language models, headless\n\n"
           "Usage: capsule-cli COMMAND [ARGS...] [--OPTIONS]\n\n"
           "Commands:\n";
    for (const Command& command : allCommands()) {
        std::string name = "  " + command.name;
        if (name.size() < 14) name.resize(14, ' ');
        out << name << command.summary << "\n";
    }
    out << "\nGlobal options:\n"
           "  --help, -h    show this help, or a command's help after its name\n"
           "  --version     print the version\n\n"
           "Run 'capsule-cli COMMAND --help' for the options of one command.\n";
}

void printCommandHelp(const Command& command) {
    std::cout << "Usage: capsule-cli " << command.name << " " << command.synopsis << "\n\n"
              << command.summary << "\n";
    if (!command.options.empty()) std::cout << "\nOptions:\n" << capsule::cli::formatOptions(command.options);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        printHelp(std::cerr);
        return 2;
    }
    const std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        printHelp(std::cout);
        return 0;
    }
    if (first == "--version" || first == "-V") {
        std::cout << "capsule-cli " CAPSULE_VERSION_STRING << std::endl;
        return 0;
    }
    for (const Command& command : allCommands()) {
        if (command.name != first) continue;
        for (int i = 2; i < argc; ++i) {
            if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
                printCommandHelp(command);
                return 0;
            }
        }
        try {
            capsule::initializeRuntime();
            const capsule::cli::Arguments arguments(argc, argv, 2, command.options);
            return command.run(arguments);
        } catch (const capsule::cli::UsageError& error) {
            std::cerr << "capsule-cli " << command.name << ": " << error.what() << std::endl;
            return 2;
        } catch (const std::exception& error) {
            std::cerr << "capsule-cli " << command.name << ": " << error.what() << std::endl;
            return 1;
        }
    }
    std::cerr << "capsule-cli: unknown command '" << first << "' (see capsule-cli --help)" << std::endl;
    return 2;
}
