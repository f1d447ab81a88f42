#include "command.h"

namespace capsule::cli {

const std::vector<Command>& allCommands() {
    static const std::vector<Command> commands = {
        systemCommand(),
        infoCommand(),
        forwardCommand(),
        generateCommand(),
        tokenizeCommand(),
        trainCommand(),
        runsCommand(),
        exportCommand(),
        demoCommand(),
        iclCommand(),
    };
    return commands;
}

}  // namespace capsule::cli
