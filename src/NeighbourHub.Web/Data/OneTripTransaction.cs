using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Pomelo.EntityFrameworkCore.MySql.Infrastructure;

namespace NeighbourHub.Web.Data;

/// <summary>
/// A short MariaDB transaction sent as one compound statement: begun, written, committed or rolled back by the server
/// in a single round trip (ADR 0014, sixth round).
/// <para>
/// Why: on the hottest writes (a sign-up's seat, a WeChat Pay callback) the rows a transaction locks stay locked until
/// its <c>COMMIT</c> arrives, and with <c>BEGIN</c>, the writes and <c>COMMIT</c> as separate round trips that wait
/// includes the app scheduling its continuation between them. Every sign-up of one event queues on the event's row,
/// so that wait, not the database's work, set the pace of a whole burst. Here the lock is held for the server's own
/// microseconds.
/// </para>
/// <para>
/// The body is plain SQL that sets the local <c>ok</c> to 1 when everything it had to write was written; otherwise the
/// transaction is rolled back. Any error rolls it back too before it reaches the caller (the handler's
/// <c>RESIGNAL</c> keeps its code, so deadlocks are still recognised as collisions): a pooled connection is never
/// left inside a transaction, which matters because connections are not reset when taken from the pool.
/// </para>
/// </summary>
internal static class OneTripTransaction
{
    /// <summary>
    /// Whether the configured database takes one-trip transactions: MariaDB's <c>BEGIN NOT ATOMIC</c> has no MySQL or
    /// SQLite equivalent, so there the callers keep their EF transactions.
    /// </summary>
    public static bool SupportedBy(DatabaseOptions options) =>
        options.Provider == DatabaseProvider.MySql && ServerVersion.Parse(options.ServerVersion).Type == ServerType.MariaDb;

    /// <summary>The compound statement around <paramref name="body"/>; build it once per call site (a static field).</summary>
    public static string Sql(string body) => $"""
        BEGIN NOT ATOMIC
          DECLARE ok INT DEFAULT 0;
          DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
          START TRANSACTION;
          {body}
          IF ok = 1 THEN COMMIT; ELSE ROLLBACK; END IF;
          SELECT ok;
        END
        """;

    /// <summary>Runs a statement built by <see cref="Sql"/>: true when it committed, false when it rolled back.</summary>
    public static async Task<bool> RunAsync(NeighbourHubDbContext db, string sql, object[] parameters, CancellationToken ct)
    {
        // START TRANSACTION would silently commit a transaction the caller had open.
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("A one-trip transaction cannot run inside another transaction.");
        }

        // A raw command through EF's command pipeline (its interceptors see it, DeadConnections among them) but not its
        // query pipeline, which SqlQueryRaw would walk, cache-look-up and regenerate SQL through on every call.
        // The builder formats the SQL like string.Format (for {0}-style placeholders, which one-trip bodies never use:
        // their parameters are named), so braces in it, such as a JSON literal, are escaped first.
        var command = db.GetService<IRawSqlCommandBuilder>().Build(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), parameters);
        var ok = await command.RelationalCommand.ExecuteScalarAsync(new RelationalCommandParameterObject(db.GetService<IRelationalConnection>(),
            command.ParameterValues, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>(), CommandSource.ExecuteSqlRaw), ct);
        return Convert.ToInt32(ok, CultureInfo.InvariantCulture) == 1;
    }
}
