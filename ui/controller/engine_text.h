#pragma once
// The training engine (core/) has no Qt and speaks English: stop reasons, progress log lines, the
// dataset summary and the device description are plain std::strings. This maps the ones a user
// reads most onto translatable templates (context "capsule::ui", as lupdate files a free tr() in
// this namespace), pattern by pattern,
// line by line, keeping their numbers and names; any other text is returned unchanged, so a new
// engine message still shows, in English, rather than disappear.
//
// Threads: any (QCoreApplication::translate is thread-safe).
#include <QString>

namespace capsule::ui {

/// `text` with every line that matches a known engine message in the current UI language.
QString localizedEngineText(const QString& text);

}  // namespace capsule::ui
