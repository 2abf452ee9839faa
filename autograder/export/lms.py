"""What Canvas's and Moodle's grade importers read, as their sources say.

Canvas: ``instructure/canvas-lms`` ``lib/gradebook_importer.rb`` (class ``GradebookImporter``)
and ``lib/gradebook_exporter.rb``; Moodle: ``mod/assign/feedback/offline/importgradeslib.php``
(``assignfeedback_offline_grade_importer``), ``mod/assign/gradingtable.php`` and the 4.5 language
packs. ../shared/lms/README.md and its ``*-import-rules.md`` quote the lines (commits there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""The student block of Canvas's gradebook export, as ``GradebookImporter`` counts it
(``update_column_count``: name, ``ID``, ``SIS User ID`` + ``SIS Login ID``, ``Section``)."""

CANVAS_READ_ONLY = ("Current Score", "Current Points", "Current Grade", "Final Score",
                    "Final Points", "Final Grade", "Override Score", "Override Grade",
                    "Override Status")
"""Canvas's ``NON_ASSIGNMENT_COLUMN_HEADERS``: a header containing one is never an assignment."""

CANVAS_RESERVED = ("Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID",
                   "Section", "Integration ID", "Root Account")
"""Canvas's ``GRADEBOOK_IMPORTER_RESERVED_NAMES``."""

CANVAS_TITLE_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z", re.DOTALL)
"""Canvas's ``Assignment#title_and_id``: the trailing `` (digits)`` of a header is the assignment id."""

CANVAS_POINTS_POSSIBLE = "Points Possible"
"""Canvas's second row starts with it (``"    Points Possible"``); the importer uses ``include?``."""


def canvas_read_only(header: str) -> bool:
    """Whether Canvas's importer drops this column (a total, score or grade)."""
    return any(word in header for word in CANVAS_READ_ONLY)


@dataclass(frozen=True)
class MoodleStrings:
    """The strings of one Moodle interface language that the grading worksheet's importer
    compares with ``==`` (headers are looked up with ``get_string`` at upload time, in the
    uploader's language) or strips by byte length (``hiddenuser``)."""

    recordid: str
    fullname: str
    email: str
    gradenoun: str
    maxgrade: str
    lastmodifiedgrade: str
    hiddenuser: str
    """The identifier's prefix: the importer drops ``strlen(hiddenuser)`` bytes, then the
    participant number remains."""


MOODLE = {
    "en": MoodleStrings(recordid="Identifier", fullname="Full name", email="Email address",
                        gradenoun="Grade", maxgrade="Maximum Grade",
                        lastmodifiedgrade="Last modified (grade)", hiddenuser="Participant "),
    "zh_cn": MoodleStrings(recordid="标识符", fullname="全名", email="电子邮件地址",
                           gradenoun="成绩", maxgrade="最高分",
                           lastmodifiedgrade="上次修改（评分）", hiddenuser="参与人"),
}
"""Moodle 4.5: English core/mod_assign strings (``Maximum Grade``: mod_assign defines the key
twice, PHP keeps the last) and the AMOS zh_cn pack (projectestac/moodle-langpacks,
``upstream_45``). An older zh_cn pack says ``参与者`` for ``hiddenuser``: same byte length."""

MOODLE_LANGUAGES = tuple(MOODLE)

MOODLE_NO_DATE = "-"
"""What ``Last modified (grade)`` shows for a participant not graded yet."""


def moodle_language(header: list[str]) -> str:
    """The language whose identifier, grade and last-modified headers ``header`` holds, or ''."""
    for lang, s in MOODLE.items():
        if {s.recordid, s.gradenoun, s.lastmodifiedgrade} <= set(header):
            return lang
    return ""


__all__ = ["CANVAS_STUDENT_COLUMNS", "CANVAS_READ_ONLY", "CANVAS_RESERVED", "CANVAS_TITLE_ID",
           "CANVAS_POINTS_POSSIBLE", "canvas_read_only", "MoodleStrings", "MOODLE",
           "MOODLE_LANGUAGES", "MOODLE_NO_DATE", "moodle_language"]
