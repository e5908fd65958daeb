"""The database schema as named, ordered migrations. A migration runs once; its name is recorded."""

from __future__ import annotations

from medcodes.store.migrations import Migration

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_concepts",
        """
        CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            system TEXT NOT NULL,
            version TEXT NOT NULL,
            effective TEXT,
            files TEXT NOT NULL,          -- JSON list of {"name", "sha256"}
            licence TEXT,
            loaded_at TEXT NOT NULL,
            UNIQUE (system, version)
        );
        CREATE TABLE concepts (
            id INTEGER PRIMARY KEY,
            system TEXT NOT NULL,
            code TEXT NOT NULL,
            title TEXT NOT NULL,
            short_title TEXT,
            kind TEXT NOT NULL,
            billable INTEGER NOT NULL,
            parent TEXT,
            depth INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            release_id INTEGER NOT NULL REFERENCES releases (id),
            UNIQUE (system, code)
        );
        CREATE INDEX concepts_parent ON concepts (system, parent, seq);
        CREATE INDEX concepts_seq ON concepts (system, seq);
        CREATE TABLE designations (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts (id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            via TEXT
        );
        CREATE INDEX designations_concept ON designations (concept_id);
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts (id),
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            character TEXT
        );
        CREATE INDEX notes_concept ON notes (concept_id);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            source_system TEXT NOT NULL,
            source_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            target_system TEXT NOT NULL,
            target_code TEXT NOT NULL,
            detail TEXT,
            source TEXT,
            flags TEXT NOT NULL DEFAULT ''   -- words, joined by '|'
        );
        CREATE INDEX relations_source ON relations (source_system, source_code);
        CREATE INDEX relations_target ON relations (target_system, target_code);
        CREATE TABLE properties (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts (id),
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            label TEXT,
            definition TEXT
        );
        CREATE INDEX properties_concept ON properties (concept_id);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            system TEXT NOT NULL,
            code TEXT NOT NULL,            -- may name a code absent from the current release (deleted)
            kind TEXT NOT NULL,
            release TEXT NOT NULL,
            effective TEXT,
            old_title TEXT,
            new_title TEXT,
            replaced_by TEXT NOT NULL DEFAULT ''   -- codes, joined by '|'
        );
        CREATE INDEX history_code ON history (system, code);
        -- Mapping tables and history files that link systems (GEMs, WHO maps, conversion table).
        CREATE TABLE crosswalks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            files TEXT NOT NULL,          -- JSON list of {"name", "sha256"}
            licence TEXT,
            relations INTEGER NOT NULL,
            missing TEXT NOT NULL,        -- JSON {"<file>: <system>": rows naming a code absent there}
            loaded_at TEXT NOT NULL
        );
        -- Derived structures written at build time (the search index's arrays), by name.
        CREATE TABLE blobs (
            name TEXT PRIMARY KEY,
            data BLOB NOT NULL
        );
        """,
    ),
    Migration(
        "0002_search_fts",
        """
        -- One row per designation (titles included); rowid = designations.id.
        CREATE VIRTUAL TABLE designations_fts USING fts5(
            text,
            content='designations',
            content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        """,
    ),
    Migration(
        "0003_similar",
        """
        -- Similar codes are found on demand, not precomputed (docs/similar.md): they look up neighbouring
        -- Alphabetic Index entries by text prefix ("Diabetes, diabetic, " -> type 1, type 2 ...) and HCPCS
        -- codes by Medicare manual section; only those rows are indexed (partial indexes: 129k index terms,
        -- 1.7k manual references).
        CREATE INDEX designations_index_term ON designations (text) WHERE kind = 'index_term';
        CREATE INDEX properties_manual_section ON properties (name, value)
            WHERE name IN ('hcpcs.coverage_issues_manual', 'hcpcs.carriers_manual');
        """,
    ),
    Migration(
        "0004_lexical_3",
        """
        -- No table changes: the lexical index (blobs 'lexical-3/...') now marks words in "without" clauses.
        -- A database built before it is refused with the hint to rebuild, instead of searching without one.
        SELECT 1;
        """,
    ),
    Migration(
        "0005_history_facts",
        """
        -- No table changes: a build now stores codes expanded into subcodes (history kind 'expanded'),
        -- conversion-table links from the previous code ('previous_code_of'), mapping tables' "no map" rows
        -- ('no_map'), ICD-10-CM -> ICD-11 links only where the titles agree, and which files are
        -- reconstructed. A database built before it is refused with the hint to rebuild.
        SELECT 1;
        """,
    ),
    Migration(
        "0006_serving",
        """
        -- Facts of the release a server reads on every /api/v1/systems, counted once by the build.
        CREATE TABLE system_counts (
            system TEXT PRIMARY KEY,
            concepts INTEGER NOT NULL,
            billable INTEGER NOT NULL,
            designations INTEGER NOT NULL,
            notes INTEGER NOT NULL
        );
        -- Which run of the build made this file (models.BuildStamp); one row.
        CREATE TABLE stamp (
            release TEXT NOT NULL,
            built_at TEXT NOT NULL,
            medcodes TEXT NOT NULL
        );
        -- A CRC-32 of each derived blob, checked when it is read: a damaged search index is named as such
        -- instead of being decoded into nonsense.
        ALTER TABLE blobs ADD COLUMN crc32 INTEGER;
        """,
    ),
    Migration(
        "0007_vocabularies",
        """
        -- Names that do not come from the code set itself (open vocabularies, ICD-9-CM titles through the
        -- GEMs) say how closely they fit the code: exact, narrow, related, broad (models.NameScope).
        ALTER TABLE designations ADD COLUMN scope TEXT;
        -- One row per open vocabulary (or derived table section) a build read, with its licence.
        CREATE TABLE vocabularies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,    -- "doid", "ncit", "mondo", "abbrev-imantsm", "index"
            title TEXT NOT NULL,
            version TEXT NOT NULL,
            url TEXT,
            files TEXT NOT NULL,          -- JSON list of {"name", "sha256"}
            licence TEXT NOT NULL,
            attribution TEXT NOT NULL,
            derived INTEGER NOT NULL,     -- 1: read from medcodes' packaged table derived from the files
            loaded_at TEXT NOT NULL
        );
        -- Short definitions of codes' concepts from the vocabularies, best first per code.
        CREATE TABLE definitions (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts (id),
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            term TEXT NOT NULL
        );
        CREATE INDEX definitions_concept ON definitions (concept_id);
        -- Names whose concept links to no code: the query may also be read as the concept's label.
        CREATE TABLE rewrites (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            target TEXT NOT NULL,
            source TEXT NOT NULL,
            term TEXT NOT NULL,
            scope TEXT NOT NULL
        );
        -- What an alphabetic index gives a main term (and one subterm) without more words.
        CREATE TABLE priors (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts (id),
            term TEXT NOT NULL,
            subterm TEXT,
            modifiers TEXT,
            source TEXT NOT NULL,
            via TEXT
        );
        CREATE INDEX priors_concept ON priors (concept_id);
        """,
    ),
    Migration(
        "0008_lexical_5",
        """
        -- No table changes: the lexical index (blobs 'lexical-5/...') weighs a name given to many codes less on
        -- each but one. A database built before it is refused with the hint to rebuild.
        SELECT 1;
        """,
    ),
    Migration(
        "0009_lexical_6",
        """
        -- No table changes: the lexical index (blobs 'lexical-6/...') holds a name's tail with a negative weight
        -- (search/index.py). A database built before it is refused with the hint to rebuild.
        SELECT 1;
        """,
    ),
    Migration(
        "0010_lexical_7",
        """
        -- No table changes: the lexical index (blobs 'lexical-7/...') counts the forms an index entry lists of its
        -- main term as one word ("Stenosis, stenotic, mitral": two words). A database built before it is refused
        -- with the hint to rebuild.
        SELECT 1;
        """,
    ),
    Migration(
        "0011_lexical_8",
        """
        -- No table changes: the lexical index (blobs 'lexical-8/...') holds each name's head noun (the last word
        -- of its head: search/text.py head_noun). A database built before it is refused with the hint to rebuild.
        SELECT 1;
        """,
    ),
    Migration(
        "0012_lexical_9",
        """
        -- No table changes: the lexical index (blobs 'lexical-9/...') marks the word a "non" prefix negates
        -- ("Non-Hodgkin lymphoma" holds "~hodgkin": search/text.py negated), and puts an abbreviation given to
        -- several codes first on the one whose title it spells (search/index.py _spelled). A database built before
        -- it is refused with the hint to rebuild.
        SELECT 1;
        """,
    ),
)
