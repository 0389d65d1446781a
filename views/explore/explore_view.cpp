// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explore_view.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

namespace faultline::views {

namespace {

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int value, const QString& tip) {
    auto* s = new QSpinBox(parent);
    s->setObjectName(QString::fromLatin1(name));
    s->setRange(lo, hi);
    s->setValue(value);
    s->setGroupSeparatorShown(true);
    s->setToolTip(tip);
    return s;
}

}  // namespace

ExploreView::ExploreView(QWidget* parent) : QWidget(parent) {
    // The request on the left, the results on the right: the dock sits in the
    // wide bottom area, tabbed with the trace.
    auto* outer = new QHBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    auto* top = new QVBoxLayout;
    outer->addLayout(top, 0);
    auto* right = new QVBoxLayout;
    outer->addLayout(right, 1);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    variants_ = new QListWidget(this);
    variants_->setObjectName("exploreVariants");
    variants_->setToolTip(tr("Kernel variants to search, one search each"));
    variants_->setMaximumHeight(4 * fontMetrics().height() + 8);
    variants_->setFlow(QListView::LeftToRight);
    variants_->setWrapping(true);
    variants_->setResizeMode(QListView::Adjust);
    form->addRow(tr("Variants"), variants_);

    auto* goals = new QHBoxLayout;
    auto goal = [&](const char* name, const QString& text, const QString& tip, bool on) {
        auto* b = new QCheckBox(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tip);
        b->setChecked(on);
        goals->addWidget(b);
        return b;
    };
    goalC1_ = goal("goalC1", tr("C1"), tr("a silent write: the monitor never heard of a protected write"), true);
    goalC3_ = goal("goalC3", tr("C3"), tr("a MINOR bypass"), true);
    goalC2_ = goal("goalC2", tr("C2"), tr("uffd-wp dropped (a note, not a violation)"), false);
    goalDeadlock_ = goal("goalDeadlock", tr("deadlock"), tr("no task can run and work remains"), false);
    goalEngine_ = goal("goalEngine", tr("engine"), tr("an engine error (a broken invariant)"), false);
    goals->addStretch();
    form->addRow(tr("Goals"), goals);

    maxSteps_ = spin(this, "exploreMaxSteps", 1, 1'000'000, 400, tr("longest schedule searched (micro-steps)"));
    preemptions_ = spin(this, "explorePreemptions", -1, 64, 2,
                        tr("context switches away from a task that could still run (CHESS); 0, 1, 2… finds the "
                           "simplest races first"));
    preemptions_->setSpecialValueText(tr("unbounded"));
    maxStates_ =
        spin(this, "exploreMaxStates", 1, 2'000'000'000, 20'000'000, tr("stop after storing this many states"));
    seconds_ = spin(this, "exploreSeconds", 0, 24 * 3600, 60, tr("wall-time limit per variant (0: none)"));
    seconds_->setSpecialValueText(tr("none"));
    seconds_->setSuffix(tr(" s"));
    threads_ = spin(this, "exploreThreads", 1, 256, std::max(1, QThread::idealThreadCount()),
                    tr("worker threads (the results do not depend on it)"));
    auto* bounds = new QHBoxLayout;
    bounds->addWidget(maxSteps_);
    bounds->addWidget(new QLabel(tr("preemptions"), this));
    bounds->addWidget(preemptions_);
    form->addRow(tr("Max steps"), bounds);
    auto* limits = new QHBoxLayout;
    limits->addWidget(maxStates_);
    limits->addWidget(new QLabel(tr("time"), this));
    limits->addWidget(seconds_);
    limits->addWidget(new QLabel(tr("threads"), this));
    limits->addWidget(threads_);
    form->addRow(tr("Max states"), limits);
    top->addLayout(form);

    auto* run = new QHBoxLayout;
    start_ = new QPushButton(tr("Explore"), this);
    start_->setObjectName("exploreStart");
    start_->setToolTip(tr("Search every schedule of the session's tasks within the bounds, per variant"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("exploreCancel");
    cancel_->setEnabled(false);
    bar_ = new QProgressBar(this);
    bar_->setObjectName("exploreProgress");
    bar_->setRange(0, 1);
    bar_->setValue(0);
    bar_->setTextVisible(false);
    run->addWidget(start_);
    run->addWidget(cancel_);
    run->addWidget(bar_, 1);
    top->addLayout(run);
    status_ = new QLabel(
        tr("The search ignores the session's schedule: its tasks, setup and monitor define the system."), this);
    status_->setObjectName("exploreStatus");
    status_->setWordWrap(true);
    top->addWidget(status_);
    top->addStretch();

    model_ = new ExploreResultsModel(this);
    table_ = new QTableView(this);
    table_->setObjectName("exploreResults");
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setWordWrap(false);
    right->addWidget(table_, 1);

    auto* opens = new QHBoxLayout;
    open_ = new QPushButton(tr("Open counterexample"), this);
    open_->setObjectName("exploreOpen");
    open_->setToolTip(tr("Load the shortest schedule in the debugger, at the step that reaches the goal"));
    openBeside_ = new QPushButton(tr("Open beside upstream"), this);
    openBeside_->setObjectName("exploreOpenBeside");
    openBeside_->setToolTip(tr("Open it in compare mode with today's kernel (upstream) on the same schedule"));
    open_->setEnabled(false);
    openBeside_->setEnabled(false);
    opens->addWidget(open_);
    opens->addWidget(openBeside_);
    opens->addStretch();
    right->addLayout(opens);

    connect(start_, &QPushButton::clicked, this, &ExploreView::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &ExploreView::cancelRequested);
    connect(open_, &QPushButton::clicked, this, [this] { openSelected(false); });
    connect(openBeside_, &QPushButton::clicked, this, [this] { openSelected(true); });
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        if (const ExploreRow* r = model_->row(i.row()); r && r->found) Q_EMIT openRequested(i.row(), {});
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& i) {
        const ExploreRow* r = model_->row(i.row());
        open_->setEnabled(r && r->found);
        openBeside_->setEnabled(r && r->found && r->variant != QLatin1String("upstream"));
    });
}

void ExploreView::openSelected(bool beside) {
    const int r = table_->currentIndex().row();
    if (const ExploreRow* row = model_->row(r); row && row->found)
        Q_EMIT openRequested(r, beside ? QStringLiteral("upstream") : QString());
}

void ExploreView::setVariants(const QStringList& ids, const QString& current) {
    variants_->clear();
    for (const QString& id : ids) {
        auto* item = new QListWidgetItem(id, variants_);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(id == current ? Qt::Checked : Qt::Unchecked);
    }
}

void ExploreView::checkVariants(const QStringList& ids) {
    for (int i = 0; i < variants_->count(); ++i) {
        QListWidgetItem* item = variants_->item(i);
        item->setCheckState(ids.contains(QStringLiteral("all")) || ids.contains(item->text()) ? Qt::Checked
                                                                                              : Qt::Unchecked);
    }
}

QString ExploreView::request(ExploreOptions& o, QStringList& variants) const {
    variants.clear();
    for (int i = 0; i < variants_->count(); ++i)
        if (variants_->item(i)->checkState() == Qt::Checked) variants << variants_->item(i)->text();
    if (variants.isEmpty()) return tr("Choose at least one variant.");
    o.goals = {};
    o.goals.rules.clear();
    if (goalC1_->isChecked()) o.goals.rules.push_back(Rule::C1);
    if (goalC2_->isChecked()) o.goals.rules.push_back(Rule::C2);
    if (goalC3_->isChecked()) o.goals.rules.push_back(Rule::C3);
    if (goalEngine_->isChecked()) o.goals.rules.push_back(Rule::Engine);
    o.goals.deadlock = goalDeadlock_->isChecked();
    if (o.goals.rules.empty() && !o.goals.deadlock) return tr("Choose at least one goal.");
    o.maxSteps = uint64_t(maxSteps_->value());
    o.maxPreemptions = preemptions_->value();
    o.maxStates = uint64_t(maxStates_->value());
    o.timeLimit = seconds_->value();
    o.threads = unsigned(threads_->value());
    return QString::fromStdString(validateOptions(o));
}

void ExploreView::setRunning(bool running) {
    start_->setEnabled(!running);
    cancel_->setEnabled(running);
    bar_->setRange(0, running ? 0 : 1);  // busy indicator: the size of the space is not known ahead
    bar_->setValue(running ? 0 : 1);
}

void ExploreView::setProgress(const QString& text) { status_->setText(text); }

void ExploreView::setResults(std::vector<ExploreRow> rows, const QString& summary) {
    model_->setRows(std::move(rows));
    table_->resizeColumnsToContents();
    status_->setText(summary);
    for (int r = 0; r < model_->rowCount(); ++r)
        if (model_->row(r)->found) {
            table_->selectRow(r);
            break;
        }
}

}  // namespace faultline::views
