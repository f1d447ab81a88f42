#include "store/run_record.h"

#include <stdexcept>

namespace capsule::store {

std::string toString(RunStatus status) {
    switch (status) {
    case RunStatus::Created: return "created";
    case RunStatus::Running: return "running";
    case RunStatus::Paused: return "paused";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "unknown";
}

RunStatus runStatusFromString(const std::string& name) {
    for (RunStatus status : {RunStatus::Created, RunStatus::Running, RunStatus::Paused, RunStatus::Finished,
                             RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted}) {
        if (toString(status) == name) return status;
    }
    throw std::invalid_argument("unknown run status '" + name + "'");
}

bool isTerminal(RunStatus status) {
    return status == RunStatus::Finished || status == RunStatus::Failed || status == RunStatus::Cancelled ||
           status == RunStatus::Interrupted;
}

}  // namespace capsule::store
