#include "controller/training_events.h"

namespace capsule::ui {

QString runStateName(RunState state) {
    switch (state) {
    case RunState::Idle: return QStringLiteral("idle");
    case RunState::Preparing: return QStringLiteral("preparing");
    case RunState::Running: return QStringLiteral("running");
    case RunState::Paused: return QStringLiteral("paused");
    case RunState::Finished: return QStringLiteral("finished");
    case RunState::Failed: return QStringLiteral("failed");
    case RunState::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

}  // namespace capsule::ui
