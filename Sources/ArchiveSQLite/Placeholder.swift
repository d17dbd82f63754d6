// ArchiveSQLite
