"""RedNote (Xiaohongshu): a creator's note statistics arrive as the creator-centre export.

RedNote offers no public API for a creator's own numbers, and reading its private endpoints
breaks its terms, so the honest path is the file a creator downloads from the creator centre
(数据中心 → 笔记数据, xlsx or csv). That file is made for people, not programs: a notice row sits
above the header, column names drift between export versions, times are written like
`2025年01月02日12时30分00秒` in Beijing time, and a note carries no id. This module reads it
defensively and turns each note into a post and an engagement snapshot, built by
`ingest.writer` exactly as the API connectors' posts are.

Decisions, and why:

* **Post id** = a stable hash of the title and the UTC publish time, the only identity the export
  carries, so the same note in next month's export is the same post.
* **Measurement time** is the import's clock: the export records no time of its own.
* **Idempotent re-import.** A note whose counts equal its latest snapshot (the one written with
  the post, at its `fetchedAt`) and whose post would not change gets no write, so importing the
  same file again makes no write at all. (Deriving the snapshot time from the file instead was
  rejected: the file holds no export time, and a content hash would pass off an import time as
  a measurement time.) A later export with new counts writes a snapshot per changed note, which
  is what velocity and trends need. For the same reason an older export imported after a newer
  one is not recognised as older; its counts are recorded at the time of that import.
* **Unknown is absent.** A metric column the export lacks, or a cell shown as "-", is left out of
  the records, never written as 0. Likes, comments and shares are the exception the record shapes
  impose: a row without them cannot become a post, so it is skipped with its reason.
* **Nothing half-done.** The whole file is read and every record built and validated before the
  first write; a file that can't be imported ends with an error naming the problem and leaves
  the tables as they were.

The package reads in three steps, one module each: `table` turns the file's bytes into rows and
finds the header, `notes` turns each row into a typed note, and `importer` turns notes into
posts and snapshots and writes them.
"""

from cloudstro.ingest.rednote.importer import (
    PLATFORM,
    AccountNotChosen,
    ImportReport,
    import_export,
)
from cloudstro.ingest.rednote.notes import (
    ExportNote,
    ParsedExport,
    RowProblem,
    SkippedRow,
    note_id,
    parse_export,
    parse_export_time,
)
from cloudstro.ingest.rednote.table import COLUMNS, Column, ExportError, Table, read_table

__all__ = [
    "COLUMNS",
    "PLATFORM",
    "AccountNotChosen",
    "Column",
    "ExportError",
    "ExportNote",
    "ImportReport",
    "ParsedExport",
    "RowProblem",
    "SkippedRow",
    "Table",
    "import_export",
    "note_id",
    "parse_export",
    "parse_export_time",
    "read_table",
]
