#pragma once
// The user's interface language: which languages exist, which one is chosen (QSettings key
// "ui/language"), and installing the matching translators at start-up.
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace capsule::ui {

struct Language {
    QString code;        // "en", "zh_CN"
    QString nativeName;  // "English", "简体中文"
};

/// Languages the studio ships, English first.
QList<Language> availableLanguages();

/// The chosen language code: the setting, else the system locale when shipped, else "en".
QString chosenLanguage();
void setChosenLanguage(const QString& code);

/// Loads Capsule's and Qt's own translations for `code` into the application. Returns false when
/// Capsule has no translation for it (English needs none and returns true).
bool installTranslators(QCoreApplication& application, const QString& code);

}  // namespace capsule::ui
