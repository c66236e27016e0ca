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

public static class DatabaseProviders
{
    /// <summary>The provider name EF reports for SQLite (the name of its provider assembly).</summary>
    public const string SqliteProviderName = "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>
    /// What EF's <c>IsSqlite()</c> answers, by name: <c>IsSqlite()</c> reads the name off a type in the SQLite provider,
    /// which loads that assembly (and Microsoft.Data.Sqlite after it) into a MariaDB deployment the first time a repair
    /// or a bill is written. Not loading what a deployment never uses is part of keeping idle memory down (ADR 0010).
    /// </summary>
    public static bool IsSqliteProvider(this Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database) =>
        string.Equals(database.ProviderName, SqliteProviderName, StringComparison.Ordinal);
}
