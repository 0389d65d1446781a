// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorymap/memory_map_view.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QTableView>
#include <QVBoxLayout>

#include "common/theme.h"
#include "debug/debugger.h"
#include "memorymap/memory_map_model.h"
#include "common/text_line.h"

namespace faultline::views {

namespace {

QFont badgeFont(const QFont& cellFont) {
    QFont f = cellFont;
    f.setBold(true);
    f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.85));
    return f;
}

QFont signalFont(const QFont& cellFont) {
    QFont f = cellFont;
    f.setBold(true);
    if (f.pointSizeF() > 0) f.setPointSizeF(f.pointSizeF() * 0.8);
    return f;
}

void drawWpBadge(QPainter* p, const QRect& cell, const Theme& th) {
    // A solid bar on the left edge and a "WP" badge on the right: readable in
    // print, with colour-blindness and at a glance.
    const int bar = std::max(4, cell.height() / 4);
    p->fillRect(QRect(cell.left(), cell.top(), bar, cell.height()), th.wp);
    const QRect badge = wpBadgeRect(cell, p->font());
    p->setFont(badgeFont(p->font()));
    p->setPen(Qt::NoPen);
    p->setBrush(th.wp);
    p->drawRoundedRect(badge, 3, 3);
    p->setPen(th.wpText);
    p->drawText(badge, Qt::AlignCenter, "WP");
}

}  // namespace

QRect wpBadgeRect(const QRect& cell, const QFont& cellFont) {
    const QFontMetrics fm(badgeFont(cellFont));
    const int w = fm.horizontalAdvance("WP") + 8, h = std::min(cell.height() - 4, fm.height() + 2);
    return QRect(cell.right() - w - 3, cell.center().y() - h / 2, w, h);
}

QRect signalTagRect(const QRect& cell, const QFont& cellFont, const QString& sig, bool wp) {
    const QFontMetrics fm(signalFont(cellFont));
    const int w = fm.horizontalAdvance(sig) + 5;
    // Left of the WP badge when there is one, so both stay readable.
    const int right = wp ? wpBadgeRect(cell, cellFont).left() - 3 : cell.right() - 3;
    return QRect(right - w, cell.top() + 3, w, cell.height() - 6);
}

// A watched cell: a dashed inner border and a dot in the top-right corner,
// in the breakpoint colour (debuggers mark watch- and breakpoints alike).
// A cell that differs from the other variant's map: a thick dotted border and
// a corner flag in the divergence colour.
static void drawDiffMark(QPainter* p, const QRect& r, const Theme& th) {
    p->save();
    QPen pen(th.divergence, 3, Qt::DotLine);
    p->setPen(pen);
    p->setBrush(Qt::NoBrush);
    p->drawRect(r.adjusted(2, 2, -3, -3));
    const int d = std::max(8, r.height() / 2);
    QPolygon tri;
    tri << QPoint(r.right() - d, r.bottom()) << QPoint(r.right(), r.bottom()) << QPoint(r.right(), r.bottom() - d);
    p->setPen(Qt::NoPen);
    p->setBrush(th.divergence);
    p->drawPolygon(tri);
    p->restore();
}

// The kernel twin's observation: a strip along the cell's bottom, "K value"
// in small type; where the kernel disagrees with the simulation the strip is
// solid in the finding colour with "≠ K value" in bold and the cell framed in it.
static int kernelStripHeight(const QFont& cellFont) {
    QFont f = cellFont;
    f.setPointSizeF(std::max(6.0, (f.pointSizeF() > 0 ? f.pointSizeF() : 9.0) * 0.8));
    return QFontMetrics(f).height() + 2;
}

static void drawKernelStrip(QPainter* p, const QRect& cell, const QString& value, bool disagree, const Theme& th) {
    p->save();
    QFont f = p->font();
    f.setPointSizeF(std::max(6.0, (f.pointSizeF() > 0 ? f.pointSizeF() : 9.0) * 0.8));
    f.setBold(disagree);
    const int h = kernelStripHeight(p->font());
    const QRect strip(cell.left(), cell.bottom() - h + 1, cell.width(), h);
    if (disagree) {
        p->fillRect(strip, th.finding);
        p->setPen(QPen(th.finding, 2));
        p->setBrush(Qt::NoBrush);
        p->drawRect(cell.adjusted(1, 1, -1, -1));
        p->setPen(Qt::white);
    } else {
        p->fillRect(strip, QColor(0, 0, 0, 22));
        p->setPen(th.cellTextDim);
    }
    p->setFont(f);
    p->drawText(strip.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft,
                (disagree ? QStringLiteral("≠ K ") : QStringLiteral("K ")) + value);
    p->restore();
}

// The cell whose access took a signal at this step: a thick border and a
// label in the finding colour ("SIGSEGV" / "SIGBUS"), at the right edge or
// left of the cell's WP badge (the access may have been to a protected page).
static void drawSignalMark(QPainter* p, const QRect& r, const Theme& th, const QString& sig, bool wp) {
    p->save();
    const QRect tag = signalTagRect(r, p->font(), sig, wp);
    QPen pen(th.finding, 3);
    pen.setJoinStyle(Qt::MiterJoin);
    p->setPen(pen);
    p->setBrush(Qt::NoBrush);
    p->drawRect(r.adjusted(1, 1, -2, -2));
    p->setFont(signalFont(p->font()));
    p->fillRect(tag, th.finding);
    p->setPen(Qt::white);
    p->drawText(tag, Qt::AlignCenter, sig);
    p->restore();
}

static void drawWatchMark(QPainter* p, const QRect& r, const Theme& th) {
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    QPen pen(th.breakpoint, 2, Qt::DashLine);
    p->setPen(pen);
    p->setBrush(Qt::NoBrush);
    p->drawRect(r.adjusted(4, 4, -5, -5));
    const int d = std::max(6, r.height() / 3);
    p->setPen(Qt::NoPen);
    p->setBrush(th.breakpoint);
    p->drawEllipse(QRect(r.right() - d - 2, r.top() + 2, d, d));
    p->restore();
}

void MemoryMapDelegate::paint(QPainter* p, const QStyleOptionViewItem& opt, const QModelIndex& index) const {
    const Theme& th = Theme::current();
    p->save();
    const QRect whole = opt.rect;
    const QVariant kernel = index.data(MemoryMapModel::KernelRole);
    // With the kernel's observation the simulated cell keeps the upper part.
    const QRect r = kernel.isNull() ? whole : whole.adjusted(0, 0, 0, -kernelStripHeight(opt.font));
    const QVariant bg = index.data(Qt::BackgroundRole);
    p->fillRect(r, bg.isValid() ? bg.value<QBrush>().color() : th.pteNone);
    const int kind = index.data(MemoryMapModel::KindRole).toInt();
    if (kind == MemoryMapModel::PteMarker) p->fillRect(r, QBrush(th.wp.lighter(140), Qt::BDiagPattern));
    if (opt.state & QStyle::State_Selected) p->fillRect(r, QColor(0, 114, 178, 60));
    const bool wp = index.data(MemoryMapModel::WpRole).toBool();
    QString text = index.data(Qt::DisplayRole).toString();
    if (wp) text.replace("  WP", "");  // the badge says it
    const QVariant fg = index.data(Qt::ForegroundRole);
    p->setPen(fg.isValid() ? fg.value<QBrush>().color() : th.cellText);
    QFont f = opt.font;
    p->setFont(f);
    const int left = wp ? std::max(4, r.height() / 4) + 4 : 4;
    text_.draw(p, r.adjusted(left, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft, text, Qt::ElideNone);
    if (wp) drawWpBadge(p, r, th);
    if (index.data(MemoryMapModel::WatchedRole).toBool()) drawWatchMark(p, r, th);
    if (index.data(MemoryMapModel::DiffRole).toBool()) drawDiffMark(p, r, th);
    if (index.data(MemoryMapModel::ChangedRole).toBool()) {
        QPen pen(th.changed, 3);
        pen.setJoinStyle(Qt::MiterJoin);
        p->setPen(pen);
        p->setBrush(Qt::NoBrush);
        p->drawRect(r.adjusted(1, 1, -2, -2));
    }
    if (!kernel.isNull()) {
        p->setFont(opt.font);
        drawKernelStrip(p, whole, kernel.toString(), index.data(MemoryMapModel::KernelDisagreeRole).toBool(), th);
    }
    if (const QString sig = index.data(MemoryMapModel::SignalRole).toString(); !sig.isEmpty()) {
        p->setFont(opt.font);
        drawSignalMark(p, r, th, sig, wp);
    }
    p->restore();
}

LegendWidget::LegendWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QFont LegendWidget::legendFont() const {
    QFont f = font();
    if (f.pointSizeF() > 0) f.setPointSizeF(f.pointSizeF() * 0.85);
    return f;
}

int LegendWidget::layoutEntries(int width, QPainter* p) const {
    ++layouts_;
    const Theme& th = Theme::current();
    const QFont lf = legendFont();
    const QFontMetrics fm(lf);
    const int h = fm.height() + 4, sw = 2 * fm.height() + 8;
    int x = 4, y = 4;
    for (const LegendEntry& e : memoryMapLegend(comparing_, kernel_)) {
        if (e.frame == LegendEntry::Frame::TextOnly) {
            // A wrapped line of its own under the samples.
            if (x > 4) x = 4, y += h + 2;
            const QRect box = fm.boundingRect(QRect(4, y, std::max(100, width - 8), 100000), Qt::TextWordWrap, e.text);
            if (p) {
                p->setPen(palette().color(QPalette::WindowText));
                p->setFont(lf);
                p->drawText(QRect(4, y, std::max(100, width - 8), box.height()), Qt::TextWordWrap | Qt::AlignLeft,
                            e.text);
            }
            y += box.height() + 2 - h;  // the return adds h
            continue;
        }
        const int w = sw + 6 + fm.horizontalAdvance(e.text) + 16;
        if (x > 4 && x + w > width) x = 4, y += h + 2;
        if (p) {
            const QRect sample(x, y, sw, h);
            if (e.frame == LegendEntry::Frame::Changed) {
                p->fillRect(sample, th.pteNone);
                p->setPen(QPen(th.changed, 3));
                p->drawRect(sample.adjusted(1, 1, -2, -2));
            } else if (e.frame == LegendEntry::Frame::Watched) {
                p->fillRect(sample, th.pteNone);
                drawWatchMark(p, sample, th);
            } else if (e.frame == LegendEntry::Frame::Differs) {
                p->fillRect(sample, th.pteNone);
                drawDiffMark(p, sample, th);
            } else if (e.frame == LegendEntry::Frame::Signal) {
                p->fillRect(sample, th.pteNone);
                p->setFont(lf);
                drawSignalMark(p, sample, th, QStringLiteral("SIG"), false);
            } else if (e.frame == LegendEntry::Frame::Kernel || e.frame == LegendEntry::Frame::KernelDisagrees) {
                p->fillRect(sample, th.pteNone);
                p->setFont(lf);
                drawKernelStrip(p, sample, QString(), e.frame == LegendEntry::Frame::KernelDisagrees, th);
            } else {
                p->fillRect(sample, e.colour);
                if (e.hatched) p->fillRect(sample, QBrush(th.wp.lighter(140), Qt::BDiagPattern));
                if (e.wpBadge) {
                    p->save();
                    p->setFont(lf);
                    drawWpBadge(p, sample, th);
                    p->restore();
                }
                p->setPen(th.cellTextDim);
                p->drawRect(sample.adjusted(0, 0, -1, -1));
            }
            p->setPen(palette().color(QPalette::WindowText));
            p->setFont(lf);
            p->drawText(QRect(x + sw + 6, y, w, h), Qt::AlignVCenter | Qt::AlignLeft, e.text);
        }
        x += w;
    }
    return y + h + 4;
}

QSize LegendWidget::sizeHint() const { return {600, heightForWidth(width() > 0 ? width() : 600)}; }

quint64 LegendWidget::themeKey() const {
    const Theme& th = Theme::current();
    quint64 h = qHash(legendFont().key(), 1);
    h = h * 31 + palette().color(QPalette::WindowText).rgba();
    h = h * 31 + (quint64(th.dark) << 3 | quint64(th.presentation) << 2 | quint64(comparing_) << 1 | quint64(kernel_));
    h = h * 31 + quint64(th.pteNone.rgba()) + (quint64(th.wp.rgba()) << 32);
    return h;
}

int LegendWidget::heightForWidth(int w) const {
    const quint64 k = themeKey();
    if (k != heightsKey_) heights_.clear(), heightsKey_ = k;
    if (auto it = heights_.constFind(w); it != heights_.cend()) return *it;
    const int h = layoutEntries(w, nullptr);
    if (heights_.size() > 64) heights_.clear();
    heights_.insert(w, h);
    return h;
}

void LegendWidget::invalidate() {
    heights_.clear();
    pictureKey_ = 0;
    picture_ = QPixmap();
    updateGeometry();
    update();
}

void LegendWidget::changeEvent(QEvent* e) {
    if (e->type() == QEvent::FontChange || e->type() == QEvent::PaletteChange || e->type() == QEvent::StyleChange)
        invalidate();
    QWidget::changeEvent(e);
}

void LegendWidget::paintEvent(QPaintEvent*) {
    // Painted once per size and theme into a pixmap, then copied.
    const qreal dpr = devicePixelRatioF();
    const quint64 k = themeKey() * 31 + quint64(width()) * 65537 + quint64(height()) + quint64(dpr * 1000) * 7;
    if (picture_.isNull() || pictureKey_ != k) {
        picture_ = QPixmap(size() * dpr);
        picture_.setDevicePixelRatio(dpr);
        picture_.fill(Qt::transparent);
        QPainter pp(&picture_);
        pp.setRenderHint(QPainter::Antialiasing, false);
        pp.setFont(font());
        layoutEntries(width(), &pp);
        pictureKey_ = k;
    }
    QPainter p(this);
    p.drawPixmap(0, 0, picture_);
}

MemoryMapView::MemoryMapView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    title_ = new TextLine(this);
    title_->setObjectName("memoryMapTitle");
    QFont tf = title_->font();
    tf.setBold(true);
    title_->setFont(tf);
    title_->setWordWrap(true);
    table_ = new QTableView(this);
    table_->setObjectName("memoryMapTable");
    model_ = new MemoryMapModel(this);
    table_->setModel(model_);
    table_->setItemDelegate(new MemoryMapDelegate(table_));
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(rowHeight());
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_, &QWidget::customContextMenuRequested, this, &MemoryMapView::contextMenu);
    legend_ = new LegendWidget(this);
    kernelLine_ = new QLabel(this);
    kernelLine_->setObjectName("memoryMapKernel");
    kernelLine_->setWordWrap(true);
    kernelLine_->setTextFormat(Qt::PlainText);
    kernelLine_->hide();
    lay->addWidget(title_);
    lay->addWidget(kernelLine_);
    lay->addWidget(table_, 1);
    lay->addWidget(legend_);
}

int MemoryMapView::rowHeight() const {
    return QFontMetrics(font()).height() + 8 + (model_->kernelObservations() ? kernelStripHeight(font()) : 0);
}

void MemoryMapView::setKernelObservations(std::shared_ptr<const KernelObservations> obs) {
    model_->setKernelObservations(std::move(obs));
    legend_->setKernel(model_->kernelObservations() != nullptr);
    table_->verticalHeader()->setDefaultSectionSize(rowHeight());
    updateKernelLine();
}

void MemoryMapView::updateKernelLine() {
    const KernelObservations::Op* op = model_->kernelOpObservation();
    kernelLine_->setVisible(model_->kernelObservations() != nullptr);
    if (!model_->kernelObservations() && kernelLine_->text().isEmpty()) return;  // hidden and empty: nothing to restyle
    const QString text = model_->kernelSummary();
    if (kernelLine_->text() != text) kernelLine_->setText(text);
    const bool bad = op && !op->disagreements.isEmpty();
    QPalette pal = palette();
    if (bad) pal.setColor(QPalette::WindowText, Theme::current().finding);
    if (kernelLine_->palette() != pal) kernelLine_->setPalette(pal);
    QFont f = font();
    f.setBold(bad);
    if (kernelLine_->font() != f) kernelLine_->setFont(f);
}

void MemoryMapView::setSnapshot(const Snapshot& s, const QString& title) {
    if (title_->text() != title) title_->setText(title);
    model_->setSnapshot(s);
    updateKernelLine();
    const QFontMetrics fm(font());
    // Only when the height changed: Qt 6.4's setDefaultSectionSize walks every
    // row (262,144 of them), even for the same size.
    if (table_->verticalHeader()->defaultSectionSize() != rowHeight())
        table_->verticalHeader()->setDefaultSectionSize(rowHeight());
    // Cells sized for the font: the widest usual text (a frame "p123 UD r2 m1 b0",
    // a pte "p123 RW D Y" plus the WP bar and badge) is never cut; a narrow
    // map scrolls sideways instead.
    const QString digits(QString::number(std::max<uint64_t>(s.valid() ? s.state.inode.sizePages + 8 : 99, 99)).size(),
                         QChar('9'));
    QFont bold = font();
    bold.setBold(true);
    const int badge = QFontMetrics(bold).horizontalAdvance("WP") + 8 + 3 + std::max(4, (fm.height() + 8) / 4) + 4;
    const int pte = fm.horizontalAdvance(QStringLiteral("p%1 RW D Y").arg(digits)) + badge + 8;
    const int frame = fm.horizontalAdvance(QStringLiteral("p%1 UD r2 m1 b0").arg(digits)) + 12;
    const int want = std::max(pte, frame);
    if (table_->horizontalHeader()->minimumSectionSize() != want)
        table_->horizontalHeader()->setMinimumSectionSize(want);
}

int MemoryMapView::minimumCellWidth() const { return table_->horizontalHeader()->minimumSectionSize(); }

void MemoryMapView::setLegendVisible(bool on) { legend_->setVisible(on); }

void MemoryMapView::setComparing(bool on) {
    legend_->setComparing(on);
    table_->viewport()->update();
}

void MemoryMapView::showOnlyColumns(const QVector<bool>& shown) {
    for (int c = 0; c < model_->columnCount(); ++c) table_->setColumnHidden(c, c < shown.size() && !shown[c]);
}

void MemoryMapView::showRow(int row) {
    if (row < 0 || row >= model_->rowCount()) return;
    const QRect r = table_->visualRect(model_->index(row, 0));
    if (!r.isValid() || !table_->viewport()->rect().contains(r))
        table_->scrollTo(model_->index(row, 0), QAbstractItemView::PositionAtCenter);
}

void MemoryMapView::contextMenu(const QPoint& pos) {
    const QModelIndex idx = table_->indexAt(pos);
    if (!idx.isValid()) return;
    const QString cell = idx.data(MemoryMapModel::CellNameRole).toString();
    if (cell.isEmpty() || cell.contains('?')) return;
    QMenu menu(this);
    debug::Watchpoint::Where where = debug::Watchpoint::Where::Pte;
    if (cell.startsWith("xa")) where = debug::Watchpoint::Where::Xa;
    else if (cell.startsWith("folio")) where = debug::Watchpoint::Where::Folio;
    else if (cell.startsWith("slot")) where = debug::Watchpoint::Where::Slot;
    for (std::string_view f : debug::watchFields(where)) {
        const QString spec = f == "any" ? cell : cell + "." + QString::fromUtf8(f.data(), int(f.size()));
        menu.addAction(tr("Watch %1").arg(spec), this, [this, spec] { Q_EMIT watchRequested(spec); });
    }
    menu.exec(table_->viewport()->mapToGlobal(pos));
}

}  // namespace faultline::views
