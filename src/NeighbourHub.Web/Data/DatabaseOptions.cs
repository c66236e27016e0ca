namespace NeighbourHub.Web.Data;

public enum DatabaseProvider { Sqlite, MySql }

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Server version for Pomelo. Parsed, not auto-detected: auto-detection needs a live server at
    /// start-up and during <c>dotnet ef</c>.
    /// </summary>
    public string ServerVersion { get; set; } = "10.11.0-mariadb";

    /// <summary>SQLite only: apply pending migrations at start. MySQL is migrated by deploy/migrate.sh, never silently.</summary>
    public bool MigrateOnStart { get; set; } = true;

    public const string DefaultSqliteConnection = "Data Source=data/neighbourhub.db";
}
