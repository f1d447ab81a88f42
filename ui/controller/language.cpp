#include "controller/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace capsule::ui {
namespace {
constexpr auto kLanguageKey = "ui/language";
}

QList<Language> availableLanguages() {
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("zh_CN"), QString::fromUtf8("简体中文")}};
}

QString chosenLanguage() {
    const QSettings settings;
    const QString stored = settings.value(QLatin1String(kLanguageKey)).toString();
    const auto languages = availableLanguages();
    for (const auto& language : languages) {
        if (language.code == stored) return stored;
    }
    const QString system = QLocale::system().name();  // "zh_CN", "en_US"
    for (const auto& language : languages) {
        if (language.code == system) return system;
    }
    return QStringLiteral("en");
}

void setChosenLanguage(const QString& code) {
    QSettings settings;
    settings.setValue(QLatin1String(kLanguageKey), code);
}

bool installTranslators(QCoreApplication& application, const QString& code) {
    if (code == QLatin1String("en")) return true;
    // Owned by the application object (parent), alive for its lifetime.
    auto* qtTranslator = new QTranslator(&application);
    if (qtTranslator->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qtTranslator);
    auto* translator = new QTranslator(&application);
    if (!translator->load(QStringLiteral(":/i18n/capsule_") + code)) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    return true;
}

}  // namespace capsule::ui
