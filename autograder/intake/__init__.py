"""One intake for every way submissions arrive: a folder of students, one student's folder or
zip, an LMS's bulk download, a Gradescope upload.

``discover`` lists the students of a folder: one sub-folder or one ``.zip`` per student, and
the bulk downloads of two LMSs as they come, grouped by student with the LMS's id kept:

- Canvas ("Download Submissions"): flat files named ``<name>_<user id>_<attachment id>_<file>``,
  with ``_LATE_`` after the name when Canvas counts the submission late, and ``-1``, ``-2``
  appended to a file the student submitted again (``ex5_4-1.py``). The layout is the one
  mikewesthad/canvas-unzipper's README shows (``smithbob_340934_208490284_BobsWork.zip``).
- Moodle ("Download all submissions"): per-student folders ``<Full Name>_<participant id>_
  assignsubmission_file_`` (or, with "download as folders" off, flat files with that prefix),
  as ``assign::download_submissions`` in mod/assign/locallib.php names them; only the file
  submission plugin's files are graded.

``collect`` finds the chapter's files in one student's upload, wherever they are (loose, in
folders, in a zip, in a zip's folders) and writes them, flat, into a fresh folder; files that
are not used are reported with the reason and what to do (a likely rename). Local grading and
Gradescope call the same ``collect``, so the same upload gets the same files and the same
messages on both.

Nothing here executes the upload; it reads bytes, within one set of limits: at most
``MAX_ENTRIES`` files and zip members looked at, ``MAX_FILE_BYTES`` per file taken and
``MAX_TOTAL_BYTES`` in all. A zip's member count is read from its end record before its
directory is parsed. Only a member's base name is ever used, so ``..`` or absolute paths in a
zip cannot write anywhere; links are never followed.

The parts: ``common.py`` (limits, errors, ``Entry``, ``Upload``), ``classes.py`` (``discover``:
a folder of students, LMS downloads), ``upload.py`` (``collect``: one upload).
"""

from .classes import discover
from .common import (IGNORED_PARTS, MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES, RESERVED, Entry,
                     Item, LayoutError, SubmissionError, Upload, chapter_files, nothing_received,
                     shown)
from .upload import advice, collect, suggest, zip_member_count

__all__ = ["IGNORED_PARTS", "MAX_ENTRIES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "RESERVED", "Entry",
           "Item", "LayoutError", "SubmissionError", "Upload", "advice", "chapter_files",
           "collect", "discover", "nothing_received", "shown", "suggest", "zip_member_count"]
