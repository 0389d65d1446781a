// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/kernel_twin_dialog.h"

#include <QApplication>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "common/qcp.h"
#include "twin_rt.h"

namespace faultline::gui {

QString kernelTwinUnavailable() {
    char why[256] = "";
    if (tw_preflight(why, sizeof why) == 0) return {};
    return QString::fromUtf8(why);
}

QString faultlineCliPath() {
    const QString env = qEnvironmentVariable("FAULTLINE_CLI");
    if (!env.isEmpty()) return env;
    const QDir bin(QApplication::applicationDirPath());
    for (const QString& c : {bin.filePath("faultline-cli"), bin.filePath("../cli/faultline-cli")})
        if (QFileInfo(c).isExecutable()) return QFileInfo(c).absoluteFilePath();
    return QStringLiteral("faultline-cli");  // from PATH
}

KernelTwinDialog::KernelTwinDialog(const QString& sessionFile, const QString& sessionName, QWidget* parent)
    : QDialog(parent), file_(sessionFile) {
    setObjectName("kernelTwinDialog");
    setWindowTitle(tr("Run on This Kernel — %1").arg(sessionName));
    auto* lay = new QVBoxLayout(this);
    summary_ = new QLabel(tr("Running the session on this kernel…"), this);
    summary_->setWordWrap(true);
    lay->addWidget(summary_);
    table_ = new QTableWidget(0, 6, this);
    table_->setObjectName("kernelTwinTable");
    table_->setHorizontalHeaderLabels(
        {tr("op"), tr("operation"), tr("cell"), tr("kernel"), tr("simulation"), tr("agree")});
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    lay->addWidget(table_, 3);

    auto* row = new QHBoxLayout;
    raceBtn_ = new QPushButton(tr("Race on This Kernel"), this);
    raceBtn_->setObjectName("kernelRaceButton");
    seconds_ = new QSpinBox(this);
    seconds_->setRange(1, 3600);
    seconds_->setValue(10);
    seconds_->setSuffix(tr(" s"));
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    cancelBtn_ = new QPushButton(tr("Cancel"), this);
    cancelBtn_->setEnabled(false);
    row->addWidget(raceBtn_);
    row->addWidget(seconds_);
    row->addWidget(progress_, 1);
    row->addWidget(cancelBtn_);
    lay->addLayout(row);
    raceLabel_ = new QLabel(this);
    raceLabel_->setObjectName("kernelRaceSummary");
    raceLabel_->setWordWrap(true);
    lay->addWidget(raceLabel_);
    for (QLabel* l : {summary_, raceLabel_}) {
        l->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
        l->installEventFilter(this);
    }
    table_->setMinimumHeight(table_->verticalHeader()->defaultSectionSize() * 3);
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("kernelRaceHistogram");
    plot_->setMinimumHeight(160);
    plot_->xAxis->setLabel(tr("start offset of the second racer, as it happened (µs)"));
    plot_->yAxis->setLabel(tr("iterations"));
    plot_->legend->setVisible(true);
    // The legend under the plot, never over the bars.
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    lay->addWidget(plot_, 2);
    resize(900, 700);

    tick_ = new QTimer(this);
    tick_->setInterval(100);
    connect(tick_, &QTimer::timeout, this,
            [this] { progress_->setValue(int(std::min<qint64>(1000, clock_.elapsed() / raceSeconds_))); });
    connect(raceBtn_, &QPushButton::clicked, this, &KernelTwinDialog::runRace);
    connect(cancelBtn_, &QPushButton::clicked, this, &KernelTwinDialog::cancelRace);
    runCompare();
}

void KernelTwinDialog::fitHeight(QLabel* l) {
    const int h = l->heightForWidth(l->width());
    if (h > 0 && l->minimumHeight() != h) l->setMinimumHeight(h);
}

bool KernelTwinDialog::eventFilter(QObject* o, QEvent* e) {
    // A new width or a new text: the lines it now takes.
    if ((o == summary_ || o == raceLabel_) && (e->type() == QEvent::Resize || e->type() == QEvent::Show))
        fitHeight(static_cast<QLabel*>(o));
    return QDialog::eventFilter(o, e);
}

KernelTwinDialog::~KernelTwinDialog() {
    for (QProcess* p : {compare_, race_})
        if (p && p->state() != QProcess::NotRunning) {
            p->terminate();  // the twin cleans up (children, swap file) on SIGTERM
            if (!p->waitForFinished(5000)) p->kill();
        }
}

bool KernelTwinDialog::busy() const {
    return (compare_ && compare_->state() != QProcess::NotRunning) || (race_ && race_->state() != QProcess::NotRunning);
}

void KernelTwinDialog::runCompare() {
    if (compare_ && compare_->state() != QProcess::NotRunning) return;
    delete compare_;
    compare_ = new QProcess(this);
    connect(compare_, &QProcess::finished, this, &KernelTwinDialog::compareFinished);
    compare_->start(faultlineCliPath(), {"kernel", file_, "--json", "--all"});
}

void KernelTwinDialog::compareFinished() {
    const int code = compare_->exitCode();
    const QByteArray out = compare_->readAllStandardOutput();
    const QString err = QString::fromUtf8(compare_->readAllStandardError()).trimmed();
    const QJsonObject o = QJsonDocument::fromJson(out).object();
    if (o.value("format").toString() != "faultline-kernel") {
        summary_->setText(code == 77 ? tr("Not allowed on this kernel: %1").arg(err)
                                     : tr("The kernel twin failed (exit %1): %2").arg(code).arg(err));
        raceBtn_->setEnabled(false);
        return;
    }
    Q_EMIT observed(out);
    // The table: the rows that changed on either side or disagree (the memory map shows them all).
    QJsonArray rows;
    for (const auto& v : o.value("rows").toArray())
        if (!v.toObject().value("agree").toBool() || v.toObject().value("changed").toBool(true)) rows.append(v);
    table_->setRowCount(int(rows.size()));
    const QColor bad(220, 60, 60, 90);
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject r = rows[i].toObject();
        const bool agree = r.value("agree").toBool();
        const QStringList cells = {
            QString::number(r.value("op").toInt()), r.value("operation").toString(),  r.value("cell").toString(),
            r.value("kernel").toString(),           r.value("simulation").toString(), agree ? tr("yes") : tr("NO")};
        for (int c = 0; c < cells.size(); ++c) {
            auto* it = new QTableWidgetItem(cells[c]);
            if (!agree) it->setBackground(bad);
            table_->setItem(i, c, it);
        }
    }
    table_->resizeColumnsToContents();
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    QString text =
        tr("<b>agreement: %1/%2 observations</b> — %3 under upstream, the operations one after another; "
           "rows shown: cells that changed or disagree; the memory map shows the kernel's value of every cell after "
           "each operation.")
            .arg(o.value("agreed").toInt())
            .arg(o.value("observations").toInt())
            .arg(o.value("kernel").toString());
    const QJsonObject first = o.value("first_disagreement").toObject();
    if (!first.isEmpty())
        text += tr("<br>First disagreement: op %1 (%2): %3 — kernel %4, simulation %5")
                    .arg(first.value("op").toInt())
                    .arg(first.value("operation").toString().toHtmlEscaped(), first.value("cell").toString(),
                         first.value("kernel").toString(), first.value("simulation").toString());
    QStringList nc;
    for (const auto& v : o.value("not_compared").toArray()) nc << v.toString().toHtmlEscaped();
    text += tr("<br><small>Not compared: %1</small>").arg(nc.join("; "));
    summary_->setText(text);
    fitHeight(summary_);
}

void KernelTwinDialog::runRace() {
    if (busy()) return;
    delete race_;
    race_ = new QProcess(this);
    raceSeconds_ = seconds_->value();
    cancelled_ = false;
    connect(race_, &QProcess::finished, this, &KernelTwinDialog::raceFinished);
    race_->start(faultlineCliPath(), {"kernel", file_, "--race", "--json", "--seconds", QString::number(raceSeconds_)});
    raceBtn_->setEnabled(false);
    cancelBtn_->setEnabled(true);
    raceLabel_->setText(tr("Racing the interleaved operations on this kernel for %1 s…").arg(raceSeconds_));
    progress_->setValue(0);
    clock_.start();
    tick_->start();
}

void KernelTwinDialog::cancelRace() {
    if (race_ && race_->state() != QProcess::NotRunning) {
        cancelled_ = true;
        race_->terminate();  // reports what it has
    }
}

void KernelTwinDialog::raceFinished() {
    tick_->stop();
    progress_->setValue(1000);
    raceBtn_->setEnabled(true);
    cancelBtn_->setEnabled(false);
    const QByteArray out = race_->readAllStandardOutput();
    if (QJsonDocument::fromJson(out).object().value("format").toString() != "faultline-kernel-race") {
        // Cancelled while faultline-cli still planned (before the race loop took over SIGTERM): no figures.
        raceLabel_->setText(cancelled_
                                ? tr("Cancelled before the race started: no iterations.")
                                : tr("No race: %1").arg(QString::fromUtf8(race_->readAllStandardError()).trimmed()));
        return;
    }
    showRaceJson(out);
}

void KernelTwinDialog::showRaceJson(const QByteArray& json) {
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    const double n = o.value("iterations").toDouble();
    const double c1 = o.value("c1").toDouble();
    // The bins divide the offsets the race swept (calibrated on this kernel, or +-window_us).
    const int w = o.value("window_us").toInt();
    const double lo = o.contains("offset_lo_us") ? o.value("offset_lo_us").toDouble() : -w;
    const double hi = o.contains("offset_hi_us") ? o.value("offset_hi_us").toDouble() : w;
    const QJsonArray durs = o.value("durations_us").toArray();
    raceLabel_->setText(
        tr("<b>C1 in %1 % of %2 iterations</b> (C2 in %3 %)%4; the simulation of the schedule reports "
           "%5 — %6")
            .arg(n ? 100.0 * c1 / n : 0.0, 0, 'f', 2)
            .arg(qint64(n))
            .arg(n ? 100.0 * o.value("c2").toDouble() / n : 0.0, 0, 'f', 2)
            .arg(o.value("interrupted").toBool() ? tr(" (cancelled)") : QString())
            .arg(o.value("simulation_findings").toString().isEmpty() ? tr("no findings")
                                                                     : o.value("simulation_findings").toString())
            .arg(o.value("agree").toBool() ? tr("agrees") : tr("differs")) +
        (durs.size() == 2 ? tr("<br><small>Alone on this kernel the racers take %1 µs and %2 µs; "
                               "start offsets swept over [%3, %4] µs, %5.</small>")
                                .arg(durs[0].toDouble(), 0, 'f', 2)
                                .arg(durs[1].toDouble(), 0, 'f', 2)
                                .arg(lo, 0, 'f', 2)
                                .arg(hi, 0, 'f', 2)
                                .arg(o.value("sampling").toString() == "uniform" ? tr("uniformly")
                                                                                 : tr("aimed at the offsets that hit"))
                          : QString()));
    fitHeight(raceLabel_);
    plot_->clearPlottables();
    const QJsonArray outs = o.value("outcomes").toArray();
    QCPBarsGroup* group = new QCPBarsGroup(plot_);
    const QList<QColor> colours = {QColor(90, 140, 200), QColor(120, 180, 120), QColor(200, 160, 60),
                                   QColor(150, 110, 190)};
    double top = 1;
    int k = 0;
    for (const auto& v : outs) {
        const QJsonObject oc = v.toObject();
        const QJsonArray h = oc.value("histogram").toArray();
        QVector<double> x, y;
        for (int b = 0; b < h.size(); ++b) {
            x << lo + (hi - lo) * (b + 0.5) / double(h.size());
            y << h[b].toDouble();
            top = std::max(top, h[b].toDouble());
        }
        auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
        bars->setData(x, y);
        bars->setWidth(h.isEmpty() ? 1 : 0.8 * (hi - lo) / double(h.size()) / std::max<qsizetype>(1, outs.size()));
        bars->setBarsGroup(group);
        const bool c1bar = oc.value("class").toString().contains("C1");
        const QColor col = c1bar ? QColor(210, 50, 50) : colours[k++ % colours.size()];
        bars->setBrush(col);
        bars->setPen(col.darker());
        QString key = oc.value("outcome").toString();
        bars->setName(
            QStringLiteral("%1 %2: %3").arg(oc.value("class").toString()).arg(oc.value("count").toInt()).arg(key));
    }
    plot_->xAxis->setRange(lo, hi);
    plot_->yAxis->setRange(0, top * 1.1);
    plot_->replot();
}

}  // namespace faultline::gui
