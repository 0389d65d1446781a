// SPDX-License-Identifier: GPL-3.0-or-later
// A QApplication for every GUI test, on the offscreen platform, with
// QSettings and autosave files in a test location (never the user's). CTest
// runs tests as parallel processes, so each process gets its own HOME: two
// tests must never share one autosave file or one settings file.
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>
#include <QTemporaryDir>

int main(int argc, char** argv) {
    // FAULTLINE_TEST_PLATFORM=xcb (under xvfb-run) shows the tests on a real X server.
    qputenv("QT_QPA_PLATFORM",
            qEnvironmentVariable("FAULTLINE_TEST_PLATFORM", QStringLiteral("offscreen")).toLocal8Bit());
    QTemporaryDir home;  // removed when the process ends
    if (!home.isValid()) return 2;
    qputenv("HOME", home.path().toLocal8Bit());
    qputenv("XDG_RUNTIME_DIR", home.path().toLocal8Bit());
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("FaultlineTest");
    QApplication::setApplicationName("faultline-gui-tests");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
