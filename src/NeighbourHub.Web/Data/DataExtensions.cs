using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Sqlite.Query.Internal;
using NeighbourHub.Web.Tenancy;
using Pomelo.EntityFrameworkCore.MySql.Query.ExpressionVisitors.Internal;
using Pomelo.EntityFrameworkCore.MySql.Query.Internal;

namespace NeighbourHub.Web.Data;

public static class DataExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        var connectionString = builder.Configuration.GetConnectionString("NeighbourHub");

        if (options.Provider == DatabaseProvider.MySql)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Database:Provider is MySql but ConnectionStrings:NeighbourHub is empty.");
            }

            var serverVersion = ServerVersion.Parse(options.ServerVersion);
            var pooled = WithoutConnectionReset(connectionString);
            // Pooled contexts: building a context's services costs more than most of our queries (see ADR 0014).
            builder.Services.AddPooledDbContextFactory<MySqlNeighbourHubDbContext>((sp, o) =>
                ConfigureMySql(o, pooled, serverVersion).AddInterceptors(sp.GetRequiredService<ScopeChangeInterceptor>(), DeadConnections.Instance));
            builder.Services.AddSingleton<IDbContextFactory<NeighbourHubDbContext>, ProviderContextFactory<MySqlNeighbourHubDbContext>>();
        }
        else
        {
            var sqlite = SqliteConnectionString(connectionString, builder.Environment.ContentRootPath);
            builder.Services.AddPooledDbContextFactory<SqliteNeighbourHubDbContext>((sp, o) =>
                ConfigureSqlite(o, sqlite).AddInterceptors(sp.GetRequiredService<ScopeChangeInterceptor>()));
            builder.Services.AddSingleton<IDbContextFactory<NeighbourHubDbContext>, ProviderContextFactory<SqliteNeighbourHubDbContext>>();
        }

        // Request-scoped context for API handlers and Identity's stores, scoped to the caller.
        builder.Services.AddScoped<CurrentScope>();
        builder.Services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>().CreateDbContext();
            db.Scope = sp.GetRequiredService<CurrentScope>();
            return db;
        });
        return builder;
    }

    /// <param name="keepScopeListCommands">Off only in the test that compares kept SQL with SQL generated afresh (the
    /// scope's flags are inlined either way).</param>
    internal static DbContextOptionsBuilder ConfigureMySql(DbContextOptionsBuilder o, string connectionString, ServerVersion serverVersion,
        bool keepScopeListCommands = true)
    {
        o.UseMySql(connectionString, serverVersion, my =>
        {
            my.MigrationsHistoryTable("__EFMigrationsHistory");
            // IN (…) lists rather than JSON tables: works on every MariaDB and MySQL version we support.
            my.TranslateParameterizedCollectionsToConstants();
        });
        // ...and their SQL kept per distinct lists, which EF Core would generate again on every execution (ADR 0014).
        if (keepScopeListCommands)
        {
            o.ReplaceService<IQuerySqlGeneratorFactory, ScopeListSqlGeneratorFactory<MySqlQuerySqlGeneratorFactory>>()
                .ReplaceService<IRelationalParameterBasedSqlProcessorFactory, ScopeListSqlProcessorFactory<MySqlParameterBasedSqlProcessorFactory>>();
        }
        else
        {
            o.ReplaceService<IRelationalParameterBasedSqlProcessorFactory, AfreshScopeListSqlProcessorFactory<MySqlParameterBasedSqlProcessorFactory>>();
        }

        return o;
    }

    /// <summary>
    /// MySqlConnector resets a pooled connection whenever it is opened (<c>COM_RESET_CONNECTION</c> and <c>SET NAMES</c>,
    /// one round trip it waits for), and EF opens the connection for each query: a round trip before every query. The
    /// profile of <c>/api/v1/me</c> put a third of the app's busy time there. The reset only matters to code that leaves
    /// session state behind (user variables, <c>GET_LOCK</c>, temporary tables, <c>SET SESSION</c>): nothing here does,
    /// isolation levels are set per transaction, and an unfinished transaction is rolled back when its connection closes.
    /// So it is off unless the connection string asks for it (ADR 0014, fourth round). The reset also noticed a pooled
    /// connection that had died; now the first command on one fails, answers 503 (transient), and
    /// <see cref="DeadConnections"/> empties the pools so the requests after it get fresh connections.
    /// </summary>
    internal static string WithoutConnectionReset(string connectionString)
    {
        var csb = new MySqlConnector.MySqlConnectionStringBuilder(connectionString);
        if (!csb.ContainsKey("Connection Reset"))
        {
            csb.ConnectionReset = false;
        }

        return csb.ConnectionString;
    }

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder o, string connectionString, bool keepScopeListCommands = true)
    {
        o.UseSqlite(connectionString, s => s.TranslateParameterizedCollectionsToConstants()).AddInterceptors(SqlitePragmas.Instance);
        if (keepScopeListCommands)
        {
            o.ReplaceService<IQuerySqlGeneratorFactory, ScopeListSqlGeneratorFactory<SqliteQuerySqlGeneratorFactory>>()
                .ReplaceService<IRelationalParameterBasedSqlProcessorFactory, ScopeListSqlProcessorFactory<SqliteParameterBasedSqlProcessorFactory>>();
        }
        else
        {
            o.ReplaceService<IRelationalParameterBasedSqlProcessorFactory, AfreshScopeListSqlProcessorFactory<SqliteParameterBasedSqlProcessorFactory>>();
        }

        return o;
    }

    /// <summary>Resolves a relative SQLite file against the content root and makes sure its folder exists.</summary>
    internal static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? DatabaseOptions.DefaultSqliteConnection : configured);
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && !Path.IsPathRooted(csb.DataSource))
        {
            csb.DataSource = Path.Combine(contentRoot, csb.DataSource);
        }

        var folder = Path.GetDirectoryName(csb.DataSource);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        csb.DefaultTimeout = 30;
        return csb.ToString();
    }

    /// <summary>
    /// Hands out the provider's context as the common type; contexts start unscoped (seeing nothing). Contexts come
    /// from a pool, so a context may have served someone else before: its scope is reset here, the one door every
    /// context passes, never left to the pool (which knows nothing of our properties).
    /// </summary>
    private sealed class ProviderContextFactory<TContext>(IDbContextFactory<TContext> inner, TimeProvider clock)
        : IDbContextFactory<NeighbourHubDbContext> where TContext : NeighbourHubDbContext
    {
        public NeighbourHubDbContext CreateDbContext()
        {
            var db = inner.CreateDbContext();
            db.Scope = new CurrentScope();
            db.Clock = clock;
            return db;
        }
    }
}

/// <summary>
/// The embedded default's SQLite settings on every connection: write-ahead logging (readers never wait for the
/// writer), fsync at checkpoints rather than every commit (safe in WAL), and a busy timeout so concurrent
/// writers queue instead of failing with "database is locked".
/// </summary>
internal sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
