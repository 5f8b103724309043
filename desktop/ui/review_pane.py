"""The Review tab: colleagues' passages beside mine, the alignment, agreement figures, and accepting.

Colleagues' files are read once with ``untrusted.open_untrusted`` (never written, never interpreted as
markup). Their passages are drawn in the reader as wavy underlines in their tag colours, one toggle
per colleague. The figures come from ``review.report_data``, the same data ``warrant compare --json``
prints, so the window and the command line always agree. An undefined figure (0/0) shows "–" with
the reason in its tooltip; every figure has a tooltip and a line in the legend under the table.
Accept All Agreed asks first (:meth:`ReviewPane.confirm_accept_agreed`), naming how many passages
``review.agreed_to_accept`` would add.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import model, review, textutil
from desktop.ui import models, plain

log = logging.getLogger(__name__)

ORPHAN = "orphan"
KIND_LABELS = {
    review.AGREED: "Agreed",
    review.TAG_DIFFERS: "Tag differs",
    review.ONLY_MINE: "Only mine",
    review.ONLY_THEIRS: "Only theirs",
    ORPHAN: "Not placed",
}
KIND_ORDER = (*review.KINDS, ORPHAN)
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Row:
    """One line of the alignment list."""

    kind: str
    colleague: str
    mine: model.Annotation | None
    theirs: model.Annotation | None
    placement: str = ""

    @property
    def quote(self) -> str:
        """The passage shown for the row: theirs where there is one, else mine."""
        a = self.theirs or self.mine
        return a.quote if a is not None else ""


def rows_of(doc: review.DocumentReview) -> list[Row]:
    """Every alignment row of every colleague on one document, orphans last."""
    out: list[Row] = []
    for c in doc.colleagues:
        methods = {p.annotation.id: p.method for p in c.placed}
        for p in c.pairs:
            out.append(Row(p.kind, c.label, p.mine, p.theirs, methods.get(p.theirs.id, "") if p.theirs else ""))
        out.extend(Row(ORPHAN, c.label, None, a, "") for a in c.orphans)
    return out


class AlignmentModel(QAbstractTableModel):
    """The alignment rows: kind, my tag, their tag, colleague, passage."""

    COLUMNS = ("Kind", "Mine", "Theirs", "Colleague", "Passage")

    def __init__(self, parent: QObject | None = None) -> None:
        """Make an empty model."""
        super().__init__(parent)
        self.rows: list[Row] = []
        self.tags = model.TagSet()

    def reset(self, rows: Sequence[Row], tags: model.TagSet) -> None:
        """Show new rows."""
        self.beginResetModel()
        self.rows = list(rows)
        self.tags = tags
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return None

    def _label(self, a: model.Annotation | None) -> str:
        if a is None:
            return "—"
        return self.tags.get(a.tag).label

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return KIND_LABELS[row.kind] + (f" ({row.placement})" if row.placement not in ("", "exact") else "")
            if col == 1:
                return self._label(row.mine)
            if col == 2:
                return self._label(row.theirs)
            if col == 3:
                return row.colleague
            if col == 4:
                return models.one_line(row.quote)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            parts = []
            if row.mine is not None:
                parts.append(f"Mine ({self._label(row.mine)}): {row.mine.quote}")
            if row.theirs is not None:
                parts.append(f"{row.colleague} ({self._label(row.theirs)}): {row.theirs.quote}")
                if row.theirs.note:
                    parts.append(f"Their note: {row.theirs.note}")
            return plain.tooltip("\n\n".join(parts))
        if role == Qt.ItemDataRole.DecorationRole and col in (1, 2):
            a = row.mine if col == 1 else row.theirs
            if a is not None:
                return QColor(self.tags.get(a.tag).colour)
        if role == Qt.ItemDataRole.UserRole:
            return row.kind
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class AlignmentFilter(QSortFilterProxyModel):
    """Shows only some kinds of rows, and only shown colleagues."""

    def __init__(self, parent: QObject | None = None) -> None:
        """Show everything."""
        super().__init__(parent)
        self.kinds: set[str] = set(KIND_ORDER)
        self.hidden_colleagues: set[str] = set()

    def update(self, kinds: set[str], hidden: set[str]) -> None:
        """Change what is shown."""
        self.beginResetModel()
        self.kinds = set(kinds)
        self.hidden_colleagues = set(hidden)
        self.endResetModel()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, AlignmentModel)
        row = source.rows[source_row]
        return row.kind in self.kinds and row.colleague not in self.hidden_colleagues


UNDEFINED = "\u2013"
"""What an undefined figure (0/0) shows; its tooltip says why."""

FIGURE_HELP = {
    "kappa": (
        "κ",
        "Cohen's kappa per character: how far we agree on which characters carry the tag, beyond chance. "
        "1 = identical, 0 = no better than chance, below 0 = worse; – = undefined (0/0).",
    ),
    "precision": (
        "Precision",
        "Share of their passages matched one-to-one to one of mine (same tag, IoU at or above the threshold). "
        "1 = every passage of theirs is one of mine.",
    ),
    "recall": (
        "Recall",
        "Share of my passages matched one-to-one to one of theirs (same tag, IoU at or above the threshold). "
        "1 = they found every passage of mine.",
    ),
    "f1": (
        "F1",
        "Harmonic mean of precision and recall: 2 × matched / (mine + theirs). The matched pairs are the "
        "list's \u201cAgreed\u201d rows. 1 = the same passages.",
    ),
    "alpha": (
        "α",
        "Krippendorff's alpha per character over all annotators (three or more). 1 = perfect, 0 = chance; "
        "– = undefined (0/0).",
    ),
    "alpha_u": (
        "αU",
        "Krippendorff's unitizing alpha: agreement on where passages begin and end and on their tags, all "
        "annotators. 1 = the same passages, 0 = chance, below 0 = systematic disagreement; – = undefined.",
    ),
}
"""Each figure's short name and what it measures and how to read it (tooltip and legend)."""


@dataclass(frozen=True)
class Disagreement:
    """One grade or ACH cell on which colleagues disagree (issue 17): what, where, and each one's value."""

    kind: str
    """``rating``, ``credibility`` or ``reliability``."""
    what: str
    """The passage (for a rating: evidence vs hypothesis) or the document, as plain text."""
    values: str
    """Each analyst's value, e.g. ``ana: C; bo: II``."""
    evidence: tuple[str, int, int] | None = None
    """The passage's place (document, start, end), to show it in the reader."""


DISAGREEMENT_KINDS = {"rating": "ACH rating", "credibility": "Credibility", "reliability": "Reliability"}


def disagreements_of(data: dict[str, Any], titles: dict[str, str]) -> list[Disagreement]:
    """Turn :func:`desktop.core.assessment.compare_files`'s result into rows (names and quotes stay plain text)."""
    out: list[Disagreement] = []

    def values(v: dict[str, object]) -> str:
        return "; ".join(f"{name}: {value}" for name, value in v.items())

    for d in data.get("ratings", {}).get("disagreements", []):
        e, h = d["evidence"], d["hypothesis"]
        where = (e["document"], e["start"], e["end"])
        what = f"\u201c{e['quote']}\u201d vs \u201c{h['quote']}\u201d"
        out.append(Disagreement("rating", what, values(d["values"]), where))
    for d in data.get("credibility", {}).get("disagreements", []):
        p = d["passage"]
        out.append(
            Disagreement(
                "credibility", f"\u201c{p['quote']}\u201d", values(d["values"]), (p["document"], p["start"], p["end"])
            )
        )
    for d in data.get("reliability", {}).get("disagreements", []):
        out.append(Disagreement("reliability", titles.get(d["document"], d["document"]), values(d["values"])))
    return out


class DisagreementModel(QAbstractTableModel):
    """The grades and ACH cells colleagues disagree on: kind, passage(s), each analyst's value."""

    HEADERS = ("Kind", "Where", "Values")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Disagreement] = []

    def reset(self, rows: Sequence[Disagreement]) -> None:
        """Show these rows."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = (DISAGREEMENT_KINDS.get(row.kind, row.kind), row.what, row.values)[index.column()]
            return textutil.shorten(text, 200) if role == Qt.ItemDataRole.DisplayRole else plain.tooltip(text)
        return None


def _figure(value: object) -> str:
    return UNDEFINED if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]


def _cell(value: object, figure: str, reason: str | None) -> tuple[str, str]:
    """A figure's text and tooltip: what it measures, and why it is undefined when it is."""
    tip = FIGURE_HELP[figure][1]
    if value is None:
        tip = f"Undefined: {reason or '0/0'}.\n\n{tip}"
    return _figure(value), tip


def legend_lines(threshold: float) -> list[str]:
    """One line per figure: its name, what it measures and how to read it."""
    lines = [f"{name}: {help_text}" for name, help_text in FIGURE_HELP.values()]
    lines.append(f"Passages are matched at IoU \u2265 {threshold:g} (a maximum one-to-one matching).")
    return lines


class ReviewPane(QWidget):
    """The Review tab's widgets; the window's :class:`desktop.ui.reviewing.Reviewer` drives it."""

    row_activated = Signal(object)
    """A :class:`Row` the user clicked."""
    colleague_toggled = Signal(str, bool)
    accept_selected = Signal()
    accept_agreed = Signal()
    accept_tag = Signal(str)
    close_requested = Signal()
    place_activated = Signal(str, int, int)
    """A disagreement's passage was clicked: (document, start, end)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build an empty review pane."""
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.colleague_row = QHBoxLayout()
        self.colleague_checks: dict[str, QCheckBox] = {}
        self.kind_buttons: dict[str, QToolButton] = {}
        kinds = QHBoxLayout()
        for kind in KIND_ORDER:
            button = QToolButton(self)
            button.setCheckable(True)
            button.setChecked(True)
            button.toggled.connect(self._filter_changed)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        kinds.addStretch(1)

        self.model = AlignmentModel(self)
        self.proxy = AlignmentFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)

        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.figures = QTableWidget(self)
        self.figures.verticalHeader().hide()
        self.figures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion_for = QComboBox(self)
        self.confusion_for.currentIndexChanged.connect(lambda _i: self._show_confusion())
        self.confusion = QTableWidget(self)
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        accept = QPushButton(self.tr("Accept Theirs"), self)
        accept.setToolTip(self.tr("Copy the selected rows' passages of theirs into your file"))
        accept.clicked.connect(self.accept_selected)
        agreed = QPushButton(self.tr("Accept All Agreed"), self)
        agreed.setToolTip(
            self.tr("Copy their agreed passages that are not near-duplicates of mine (asks first; one undo step)")
        )
        agreed.clicked.connect(self.accept_agreed)
        self.by_tag = QPushButton(self.tr("Accept All Theirs of Tag"), self)
        self.by_tag_menu = QMenu(self.by_tag)
        self.by_tag.setMenu(self.by_tag_menu)
        close = QPushButton(self.tr("Close Review"), self)
        close.clicked.connect(self.close_requested)
        buttons = QHBoxLayout()
        for b in (accept, agreed, self.by_tag):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.summary)
        top_layout.addLayout(self.colleague_row)
        top_layout.addLayout(kinds)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.detail)
        top_layout.addLayout(buttons)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.figures_title = QLabel(self)
        self.figures_title.setTextFormat(Qt.TextFormat.PlainText)
        bottom_layout.addWidget(self.figures_title)
        bottom_layout.addWidget(self.figures, 1)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.PlainText)
        self.legend.setWordWrap(True)
        bottom_layout.addWidget(self.legend)
        heat = QHBoxLayout()
        heat.addWidget(QLabel(self.tr("Confusion, my tag × their tag:"), self))
        heat.addWidget(self.confusion_for, 1)
        bottom_layout.addLayout(heat)
        bottom_layout.addWidget(self.confusion, 1)
        self.disagreement_title = QLabel(self)
        self.disagreement_title.setTextFormat(Qt.TextFormat.PlainText)
        self.disagreement_title.setWordWrap(True)
        self.disagreement_model = DisagreementModel(self)
        self.disagreement_view = QTableView(self)
        self.disagreement_view.setModel(self.disagreement_model)
        self.disagreement_view.verticalHeader().hide()
        self.disagreement_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.disagreement_view.setWordWrap(False)
        self.disagreement_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.disagreement_view.clicked.connect(self._disagreement_clicked)
        bottom_layout.addWidget(self.disagreement_title)
        bottom_layout.addWidget(self.disagreement_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([420, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self._data: dict[str, Any] = {}
        self._tags = model.TagSet()
        self.threshold = 0.5
        self._set_threshold(self.threshold)

    def _set_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        self.figures_title.setText(
            self.tr("Agreement: kappa per tag; passages matched one-to-one at IoU \u2265 %s") % f"{threshold:g}"
        )
        self.legend.setText("\n".join(legend_lines(threshold)))

    def confirm_accept_agreed(self, count: int) -> bool:
        """Ask before Accept All Agreed, saying how many passages it will add; True to go ahead."""
        if count == 0:
            QMessageBox.information(
                self,
                self.tr("Accept All Agreed"),
                self.tr("Nothing to add: every agreed passage already has one of yours with its tag at IoU \u2265 %s.")
                % f"{self.threshold:g}",
            )
            return False
        answer = QMessageBox.question(
            self,
            self.tr("Accept All Agreed"),
            self.tr("Add %d agreed passage(s) of your colleagues to your file? This is one step you can undo.") % count,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- filling ------------------------------------------------------------------------------

    def show_review(
        self, doc: review.DocumentReview | None, data: dict[str, Any], tags: model.TagSet, notes: list[str]
    ) -> None:
        """Show one document's review: ``data`` is that document's entry of ``review.report_data``."""
        self._data = data
        self._tags = tags
        if doc is not None and doc.colleagues:
            self._set_threshold(doc.colleagues[0].threshold)
        rows = rows_of(doc) if doc is not None else []
        self.model.reset(rows, tags)
        counts = {k: sum(1 for r in rows if r.kind == k) for k in KIND_ORDER}
        for kind, button in self.kind_buttons.items():
            button.setText(f"{KIND_LABELS[kind]} {counts[kind]}")
        labels = [c["annotator"] for c in data.get("colleagues", [])]
        for label in list(self.colleague_checks):
            if label not in labels:
                check = self.colleague_checks.pop(label)
                self.colleague_row.removeWidget(check)
                check.setParent(None)
        for label in labels:
            if label not in self.colleague_checks:
                check = QCheckBox(label, self)  # a name from a colleague's file: plain text only
                check.setChecked(True)
                check.toggled.connect(lambda on, name=label: self._colleague_toggled(name, on))
                self.colleague_checks[label] = check
                self.colleague_row.addWidget(check)
        title = data.get("title", "")
        summary = [f"Reviewing {title!r}: {len(labels)} colleague(s), {data.get('mine', 0)} passages of mine."]
        for c in data.get("colleagues", []):
            links = c.get("links", {})
            summary.append(
                f"Links with {c['annotator']}: {links.get(review.AGREED, 0)} agreed, "
                f"{links.get(review.ONLY_MINE, 0)} only mine, {links.get(review.ONLY_THEIRS, 0)} only theirs."
            )
        summary.extend(notes)
        self.summary.setText("\n".join(summary))
        self._show_figures()
        self.confusion_for.blockSignals(True)
        self.confusion_for.clear()
        self.confusion_for.addItems(labels)
        self.confusion_for.blockSignals(False)
        self._show_confusion()
        self.by_tag_menu.clear()
        for tag in tags:
            action = self.by_tag_menu.addAction(tag.label)
            action.triggered.connect(lambda _c=False, name=tag.name: self.accept_tag.emit(name))

    def show_assessment(self, data: dict[str, Any], titles: dict[str, str]) -> None:
        """Show the agreement on grades and ACH ratings and the cells where colleagues disagree (issue 17)."""
        rows = disagreements_of(data, titles)
        self.disagreement_model.reset(rows)
        parts = []
        for key, title in (("ratings", "ACH ratings"), ("credibility", "credibility"), ("reliability", "reliability")):
            part = data.get(key, {})
            if part.get("units"):
                alpha = "n/a" if part.get("alpha") is None else f"{part['alpha']:.2f}"
                parts.append(f"{title} α {alpha} ({part.get('units_coded_by_two_or_more', 0)} shared)")
        text = self.tr("Grades and ratings (ordinal Krippendorff's α): ") + "; ".join(parts) if parts else ""
        if parts:
            text += "\n" + (self.tr("%d disagreements below.") % len(rows) if rows else self.tr("No disagreement."))
        self.disagreement_title.setText(text)
        shown = bool(parts)
        self.disagreement_title.setVisible(shown)
        self.disagreement_view.setVisible(shown)

    def _disagreement_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            row = self.disagreement_model.rows[index.row()]
            if row.evidence is not None:
                self.place_activated.emit(*row.evidence)

    def _show_figures(self) -> None:
        colleagues = self._data.get("colleagues", [])
        tag_names = list(dict.fromkeys(t for c in colleagues for t in c.get("kappa", {})))
        header = ["Colleague", *[self._tags.get(t).label for t in tag_names]]
        header += ["κ overall", "Precision", "Recall", "F1"]
        header_help = ["", *[FIGURE_HELP["kappa"][1]] * len(tag_names), FIGURE_HELP["kappa"][1]]
        header_help += [FIGURE_HELP["precision"][1], FIGURE_HELP["recall"][1], FIGURE_HELP["f1"][1]]
        self.figures.clear()
        self.figures.setColumnCount(len(header))
        self.figures.setHorizontalHeaderLabels(header)
        for column, help_text in enumerate(header_help):
            item = self.figures.horizontalHeaderItem(column)
            if item is not None and help_text:
                item.setToolTip(help_text)
        rows: list[list[tuple[str, str]]] = []
        undefined_pairs = {
            pair["annotators"][1]: pair.get("undefined", {})
            for pair in self._data.get("pairs", [])
            if pair["annotators"][0] == self._data.get("annotators", [None])[0]
        }
        for c in colleagues:
            f1 = c.get("f1", {})
            why = dict(undefined_pairs.get(c["annotator"], {}))
            why.update(f1.get("undefined", {}))
            cells = [(c["annotator"], "")]
            cells += [_cell(c["kappa"].get(t), "kappa", why.get(f"kappa {t}")) for t in tag_names]
            cells.append(_cell(c.get("kappa_overall"), "kappa", why.get("kappa overall")))
            cells += [_cell(f1.get(k), k, why.get(k)) for k in ("precision", "recall", "f1")]
            rows.append(cells)
        alpha = self._data.get("alpha")
        if alpha:
            per_tag, why = alpha.get("per_tag", {}), alpha.get("undefined", {})
            rows.append(
                [("α (all annotators)", FIGURE_HELP["alpha"][1])]
                + [_cell(per_tag.get(t), "alpha", why.get(f"alpha {t}")) for t in tag_names]
                + [_cell(alpha.get("overall"), "alpha", why.get("alpha overall"))]
                + [("", "")] * 3
            )
        alpha_u = self._data.get("alpha_u")
        if alpha_u:
            per_tag, why = alpha_u.get("per_tag", {}), alpha_u.get("undefined", {})
            rows.append(
                [("αU (all annotators)", FIGURE_HELP["alpha_u"][1])]
                + [_cell(per_tag.get(t), "alpha_u", why.get(f"alpha_u {t}")) for t in tag_names]
                + [_cell(alpha_u.get("overall"), "alpha_u", why.get("alpha_u overall"))]
                + [("", "")] * 3
            )
        self.figures.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, (value, tip) in enumerate(values):
                item = QTableWidgetItem(value)  # plain text: names come from colleagues' files
                if tip:
                    item.setToolTip(plain.tooltip(tip))
                self.figures.setItem(r, c, item)
        self.figures.resizeColumnsToContents()

    def _show_confusion(self) -> None:
        colleagues = self._data.get("colleagues", [])
        index = self.confusion_for.currentIndex()
        self.confusion.clear()
        if not 0 <= index < len(colleagues):
            self.confusion.setRowCount(0)
            self.confusion.setColumnCount(0)
            return
        cells = colleagues[index].get("confusion", [])
        names = list(
            dict.fromkeys(
                [
                    *self._tags.names(),
                    *(c["mine"] for c in cells if c["mine"]),
                    *(c["theirs"] for c in cells if c["theirs"]),
                ]
            )
        )
        axis = [*names, None]
        labels = [self._tags.get(n).label for n in names] + ["none"]
        self.confusion.setRowCount(len(axis))
        self.confusion.setColumnCount(len(axis))
        self.confusion.setVerticalHeaderLabels([f"mine: {x}" for x in labels])
        self.confusion.setHorizontalHeaderLabels([f"theirs: {x}" for x in labels])
        counts = {(c["mine"], c["theirs"]): int(c["count"]) for c in cells}
        peak = max(counts.values(), default=0) or 1
        for r, mine in enumerate(axis):
            for c, theirs in enumerate(axis):
                n = counts.get((mine, theirs), 0)
                item = QTableWidgetItem(str(n) if (mine, theirs) != (None, None) else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                heat = QColor("#2e7d32" if mine == theirs else "#c62828")
                heat.setAlpha(int(30 + 200 * n / peak) if n else 0)
                item.setBackground(heat)
                self.confusion.setItem(r, c, item)
        self.confusion.resizeColumnsToContents()

    # -- user actions -------------------------------------------------------------------------

    def _filter_changed(self) -> None:
        kinds = {k for k, b in self.kind_buttons.items() if b.isChecked()}
        hidden = {name for name, c in self.colleague_checks.items() if not c.isChecked()}
        self.proxy.update(kinds, hidden)

    def _colleague_toggled(self, name: str, on: bool) -> None:
        self._filter_changed()
        self.colleague_toggled.emit(name, on)

    def _clicked(self, index: QModelIndex) -> None:
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        parts = []
        if row.mine is not None:
            parts.append(f"Mine ({self.model._label(row.mine)}): {models.one_line(row.mine.quote, 400)}")
        if row.theirs is not None:
            where = "" if row.kind != ORPHAN else " — could not be placed in your text"
            parts.append(
                f"{row.colleague} ({self.model._label(row.theirs)}){where}: {models.one_line(row.theirs.quote, 400)}"
            )
            if row.theirs.note:
                parts.append(f"Their note: {models.one_line(row.theirs.note, 400)}")
        self.detail.setText("\n".join(parts))
        self.row_activated.emit(row)

    def selected_rows(self) -> list[Row]:
        """The rows selected in the list."""
        picked = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return [self.model.rows[r] for r in sorted(picked)]
