-- Full-text search over report texts and their corrections: case- and accent-insensitive
-- (unicode61, diacritics removed), one row per text, kept in sync by triggers.
CREATE VIRTUAL TABLE search_index USING fts5 (
    body,
    report_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search_index (body, report_id) SELECT text, id FROM reports WHERE text != '';
INSERT INTO search_index (body, report_id) SELECT text, report_id FROM corrections;

CREATE TRIGGER reports_search AFTER INSERT ON reports WHEN new.text != '' BEGIN
    INSERT INTO search_index (body, report_id) VALUES (new.text, new.id);
END;

CREATE TRIGGER corrections_search AFTER INSERT ON corrections BEGIN
    INSERT INTO search_index (body, report_id) VALUES (new.text, new.report_id);
END;

-- Newest reports of one kecamatan (/laporan <kecamatan>).
CREATE INDEX reports_by_kecamatan ON reports (kecamatan, id);

-- A paginated answer (/laporan, /cari): its query, frozen at the newest report it saw, so the
-- pages stay stable while new reports arrive. Buttons carry only the view id and page.
CREATE TABLE views (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    params     TEXT    NOT NULL,
    max_report INTEGER NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;
