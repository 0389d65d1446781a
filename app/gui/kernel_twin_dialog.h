// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Kernel ▸ Run on This Kernel: the kernel twin from the window. It runs
// `faultline-cli kernel SESSION --json` (the twin forks one process per mm and
// must not do so from a process with Qt's threads), shows its comparison with
// disagreements marked, and for a session whose schedule interleaves tasks
// offers the race twin with a progress bar, Cancel (SIGTERM: the race stops
// after the current iteration and reports what it has) and a histogram of the
// outcomes by start offset.
#include <QDialog>
#include <QElapsedTimer>
#include <QString>

class QLabel;
class QProcess;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QCustomPlot;
class QTimer;

namespace faultline::gui {

// Whether the twin may run here: empty, or why not (older kernel, no
// userfaultfd, not permitted).
QString kernelTwinUnavailable();
// faultline-cli beside this program (install layout) or in the build tree.
QString faultlineCliPath();

class KernelTwinDialog final : public QDialog {
    Q_OBJECT
public:
    KernelTwinDialog(const QString& sessionFile, const QString& sessionName, QWidget* parent = nullptr);
    ~KernelTwinDialog() override;
    // Starts the sequential comparison (also done when the dialog opens).
    void runCompare();
    void runRace();
    void cancelRace();
    // For tests and screenshots: whether a run is in progress, and the parts.
    bool busy() const;
    QTableWidget* table() const { return table_; }
    QLabel* summary() const { return summary_; }
    QCustomPlot* histogram() const { return plot_; }
    QPushButton* raceButton() const { return raceBtn_; }
    QPushButton* cancelButton() const { return cancelBtn_; }
    QProgressBar* progress() const { return progress_; }
    QLabel* raceSummary() const { return raceLabel_; }
    // Shows a race's result (faultline-cli kernel --race --json); public for tests.
    void showRaceJson(const QByteArray& json);

Q_SIGNALS:
    // The comparison's JSON (faultline-cli kernel --json --all: every cell
    // after every operation), for the memory map.
    void observed(const QByteArray& json);

private:
    void compareFinished();
    void raceFinished();
    // A wrapped summary keeps the height its text needs at its width: the
    // layout shrinks the table and the histogram instead of cutting lines off.
    bool eventFilter(QObject* o, QEvent* e) override;
    static void fitHeight(QLabel* l);

    QString file_;
    QTableWidget* table_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* raceLabel_ = nullptr;
    QPushButton* raceBtn_ = nullptr;
    QPushButton* cancelBtn_ = nullptr;
    QSpinBox* seconds_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QProcess* compare_ = nullptr;
    QProcess* race_ = nullptr;
    QTimer* tick_ = nullptr;
    QElapsedTimer clock_;
    int raceSeconds_ = 10;
    bool cancelled_ = false;
};

}  // namespace faultline::gui
