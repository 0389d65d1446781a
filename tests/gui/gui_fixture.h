// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <memory>

#include "gui/controller.h"
#include "gui/main_window.h"
#include "session/cells.h"

namespace faultline::guitest {

inline QString seedRacePath() { return QStringLiteral(FAULTLINE_SAMPLE_DIR "/s1-seed-race.json"); }

inline std::string cell(const State& s, const std::string& name) {
    std::string err;
    auto v = cellValue(s, name, &err);
    return v ? *v : "ERR " + err;
}

// Autosave journals left by earlier tests (each test process has its own HOME).
inline void removeJournals() {
    QDir d(gui::Autosave::folder());
    for (const QString& f : d.entryList({"autosave-*"}, QDir::Files)) d.remove(f);
}

// With FAULTLINE_TEST_SHOTS=DIR, saves what the window shows as DIR/NAME.png
// (to look at a state a test reaches, e.g. under xvfb-run on a real X server).
inline void shot(QWidget* w, const QString& name) {
    const QString dir = qEnvironmentVariable("FAULTLINE_TEST_SHOTS");
    if (dir.isEmpty()) return;
    QApplication::processEvents();
    w->grab().save(dir + "/" + name + ".png");
}

// A window on the seed race under a variant, quiet (no modal dialogs).
struct Window : ::testing::Test {
    std::unique_ptr<gui::Controller> c;
    std::unique_ptr<gui::MainWindow> w;

    void SetUp() override {
        QSettings().clear();
        removeJournals();
        c = std::make_unique<gui::Controller>();
        w = std::make_unique<gui::MainWindow>(c.get());
        w->setQuiet(true);
        w->resize(1400, 900);
        w->show();
        ASSERT_EQ(w->openFile(seedRacePath(), true), QString());
    }
    void TearDown() override {
        w.reset();
        c.reset();
        removeJournals();
    }
    void trigger(const char* name) {
        QAction* a = w->action(name);
        ASSERT_NE(a, nullptr) << name;
        a->trigger();
    }
    void variant(const char* id) { ASSERT_EQ(c->setVariant(id, {}), QString()); }
    const State& state() const { return c->debugger().current(); }
    uint64_t pos() const { return c->debugger().position(); }
};

}  // namespace faultline::guitest
