using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests.Security;

/// <summary>
/// The tenancy convention holds for the whole model: every entity has a filter or a stated reason not to,
/// filters read the scope when a query runs (one compiled query for every scope), and the only way around
/// them is Unscoped with a listed reason. Which rows each role sees is proven against MariaDB by
/// TenancyMatrixTests and ForeignScopeTests. No server is needed: these live here, outside the app's
/// collection, because this process builds EF models anyway (in the unit project the first cold model
/// build alone cost seconds).
/// </summary>
public sealed class TenancyConventionTests
{
    public static TheoryData<string> Providers => new() { "sqlite", "mysql" };

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_entity_has_a_tenancy_filter_or_a_stated_reason(string provider)
    {
        // Building the model applies TenancyRules, which refuses an entity that declares nothing.
        using var db = Create(provider);
        var entities = db.Model.GetEntityTypes().ToList();

        var unexplained = entities.Where(e => e.GetQueryFilter() is null && !TenancyRules.Unfiltered.ContainsKey(e.ClrType)).Select(e => e.ClrType.Name);
        Assert.Empty(unexplained);
        // The allow-list stays honest: nothing on it is filtered after all, and nothing on it is gone from the model.
        Assert.Empty(entities.Where(e => e.GetQueryFilter() is not null && TenancyRules.Unfiltered.ContainsKey(e.ClrType)).Select(e => e.ClrType.Name));
        Assert.Empty(TenancyRules.Unfiltered.Keys.Where(t => entities.All(e => e.ClrType != t)).Select(t => t.Name));
        Assert.All(TenancyRules.Unfiltered.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
        Assert.True(entities.Count(e => e.GetQueryFilter() is not null) >= 32, "Fewer filtered entities than when the convention was introduced.");
    }

    [Fact]
    public void A_marked_entity_gets_exactly_its_owners_clauses()
    {
        using var db = Create("sqlite");
        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Resident, false, [11], [21], ResidentId: 5));

        // A repair: its reporter, or its estate's staff; a bill: its estate's staff, or its household's approved residents.
        var repair = db.Set<Web.Features.Repairs.Repair>().ToQueryString();
        Assert.Contains("\"r\".\"ReporterId\" = @__ef_filter__ScopeResidentId", repair, StringComparison.Ordinal);
        // The scope's flags are constants in the SQL (ScopeListCommands), so a resident's query has no staff branch…
        Assert.Equal("\"r\".\"ReporterId\" = @__ef_filter__ScopeResidentId_0", WhereOf(repair));
        // …and a staff member's has theirs.
        using (var staff = Create("sqlite"))
        {
            staff.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, false, [11, 12], [21], AdminUserId: 7));
            Assert.Equal("\"r\".\"ReporterId\" = @__ef_filter__ScopeResidentId_0 OR \"r\".\"EstateId\" IN (11, 12)",
                WhereOf(staff.Set<Web.Features.Repairs.Repair>().ToQueryString()));
        }

        var bill = db.Set<Web.Features.Billing.Bill>().ToQueryString();
        Assert.Contains("FROM \"Residences\"", bill, StringComparison.Ordinal);
        Assert.Contains("\"r\".\"Status\" = 'Approved'", bill, StringComparison.Ordinal);
        // A child follows its parent through the foreign key (and the parent's own filter).
        var photo = db.Set<Web.Features.Repairs.RepairPhoto>().ToQueryString();
        Assert.Contains("\"r0\".\"Id\" = \"r\".\"RepairId\"", photo, StringComparison.Ordinal);
        Assert.Contains("\"r0\".\"ReporterId\" = @__ef_filter__ScopeResidentId", photo, StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_read_the_scope_when_the_query_runs_so_one_compiled_query_serves_every_scope()
    {
        using var model = Create("sqlite");
        var filtered = model.Model.GetEntityTypes().Where(e => e.GetQueryFilter() is not null).Select(e => e.ClrType).ToList();
        AccessScope[] scopes =
        [
            new(ScopeKind.Resident, false, [11], [21], ResidentId: 5),
            new(ScopeKind.Admin, false, [11, 12], [21], AdminUserId: 7, OfficeCommunityIds: [21], OfficeEstateIds: [11, 12]),
            new(ScopeKind.Admin, false, [12], [21], AdminUserId: 8),
            AccessScope.Nothing,
            AccessScope.System,
        ];
        var households = new List<string>();
        int? compiledForTheFirstScope = null;
        foreach (var scope in scopes)
        {
            using var db = Create("sqlite");
            db.Scope = CurrentScope.For(scope);
            foreach (var type in filtered)
            {
                // ToQueryString goes through the compiled-query cache like any query, without a database.
                var sql = (string)SqlMethod.MakeGenericMethod(type).Invoke(null, [db])!;
                if (type == typeof(Household))
                {
                    // Unrestricted is a constant in the SQL: its filter drops out, and nothing is left to filter on.
                    var unrestricted = sql.Contains("WHERE", StringComparison.Ordinal) ? "filtered" : "all";
                    var estates = Regex.Match(sql, @"""h"".""EstateId"" (?:IN \((?<ids>[^)]*)\)|= (?<ids>\d+))") is { Success: true } m ? m.Groups["ids"].Value : "none";
                    households.Add($"{unrestricted} {estates}");
                }
            }

            compiledForTheFirstScope ??= Volatile.Read(ref _compilations);
        }

        // Each scope gets its own values…
        Assert.Equal(["filtered 11", "filtered 11, 12", "filtered 12", "filtered none", "all none"], households);
        // …from queries compiled for the first scope only: the scope is a parameter of the cached query, not part of it.
        Assert.Equal(compiledForTheFirstScope, Volatile.Read(ref _compilations));
    }

    /// <summary>
    /// The SQL of a filtered query is kept per distinct scope lists (ScopeListCommands, ADR 0014). For every filtered
    /// entity and every kind of scope, in any order, the kept SQL must be the SQL generated afresh for that scope.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("mysql")]
    public void Kept_sql_is_for_every_scope_the_sql_generated_afresh(string provider)
    {
        AccessScope[] scopes =
        [
            new(ScopeKind.Resident, false, [11], [21], ResidentId: 5),
            new(ScopeKind.Resident, false, [11, 12], [21], ResidentId: 6),
            new(ScopeKind.Resident, false, [], [], ResidentId: 9),
            new(ScopeKind.Admin, false, [11, 12], [21], AdminUserId: 7, OfficeCommunityIds: [21], OfficeEstateIds: [11, 12]),
            new(ScopeKind.Admin, false, [12], [21], AdminUserId: 8),
            new(ScopeKind.Admin, false, [11, 13], [21, 22], AdminUserId: 10, GridOnlyEstateIds: [13], GridBuildingIds: [31, 32]),
            AccessScope.Nothing,
            AccessScope.System,
        ];
        using var model = Create(provider, keep: false);
        var filtered = model.Model.GetEntityTypes().Where(e => e.GetQueryFilter() is not null).Select(e => e.ClrType).ToList();
        var afresh = new Dictionary<(int, Type), string>();
        for (var i = 0; i < scopes.Length; i++)
        {
            using var db = Create(provider, keep: false);
            db.Scope = CurrentScope.For(scopes[i]);
            foreach (var type in filtered)
            {
                afresh[(i, type)] = (string)SqlMethod.MakeGenericMethod(type).Invoke(null, [db])!;
            }
        }

        // Twice: the first round keeps, the second (scopes in reverse, so a neighbour's SQL is what a wrong key would find) is served.
        var served = 0L;
        foreach (var order in new[] { Enumerable.Range(0, scopes.Length), Enumerable.Range(0, scopes.Length).Reverse() })
        {
            served = ScopeListCommands.Served;
            foreach (var i in order)
            {
                using var db = Create(provider, keep: true);
                db.Scope = CurrentScope.For(scopes[i]);
                foreach (var type in filtered)
                {
                    Assert.Equal(afresh[(i, type)], (string)SqlMethod.MakeGenericMethod(type).Invoke(null, [db])!);
                }
            }
        }

        // Every filter holds a list (the estate's, at least through its parent), so every query of the second round is
        // served kept SQL: grid narrowing, empty lists and admins' flags must not stop it from being kept.
        var queries = scopes.Length * filtered.Count;
        Assert.True(ScopeListCommands.Served - served >= queries, $"{ScopeListCommands.Served - served} of {queries} queries served kept SQL");
    }

    [Fact]
    public void Unscoped_lifts_the_filters_and_names_its_reason_in_the_sql()
    {
        using var db = Create("sqlite");
        db.Scope = CurrentScope.For(AccessScope.Nothing);
        var sql = db.Households.Unscoped(Because.ResidentsFindTheirFlat).ToQueryString();
        Assert.StartsWith("-- unscoped: ResidentsFindTheirFlat", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("ef_filter", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_Unscoped_lifts_the_filters_and_every_reason_is_in_use()
    {
        var web = Path.Combine(RepositoryRoot(), "src", "NeighbourHub.Web");
        var sources = Directory.EnumerateFiles(web, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(web, f), File.ReadAllText);
        var escapeHatch = Path.Combine("Tenancy", "Unscoped.cs");

        Assert.Empty(sources.Where(s => s.Key != escapeHatch && s.Value.Contains(".IgnoreQueryFilters(", StringComparison.Ordinal)).Select(s => s.Key));
        var unused = Enum.GetNames<Because>().Where(reason => !sources.Any(s => s.Key != escapeHatch && s.Value.Contains($"Because.{reason}", StringComparison.Ordinal)));
        Assert.Empty(unused.ToList());
    }

    private static string WhereOf(string sql) => sql[(sql.IndexOf("WHERE ", StringComparison.Ordinal) + "WHERE ".Length)..].Trim();

    private static readonly MethodInfo SqlMethod = typeof(TenancyConventionTests).GetMethod(nameof(Sql), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static string Sql<T>(NeighbourHubDbContext db)
        where T : class => db.Set<T>().ToQueryString();

    // Query compilations through the shared SQLite options (tests of one class run one at a time).
    private static int _compilations;

    // One set of options per provider for the whole class: building the model is the slow part.
    private static readonly DbContextOptions<SqliteNeighbourHubDbContext> SqliteOptions = CreateSqliteOptions();

    private static DbContextOptions<SqliteNeighbourHubDbContext> CreateSqliteOptions()
    {
        var o = new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>();
        DataExtensions.ConfigureSqlite(o, "Data Source=:memory:");
        return o.LogTo(_ => Interlocked.Increment(ref _compilations), [CoreEventId.QueryCompilationStarting]).Options;
    }

    // The same, with the SQL generated afresh on every execution (EF Core's own behaviour with inlined lists).
    private static readonly DbContextOptions<SqliteNeighbourHubDbContext> SqliteAfreshOptions =
        DataExtensions.ConfigureSqlite(new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>(), "Data Source=:memory:", keepScopeListCommands: false) is
            DbContextOptionsBuilder<SqliteNeighbourHubDbContext> b ? b.Options : throw new InvalidOperationException();

    private static readonly DbContextOptions<MySqlNeighbourHubDbContext> MySqlOptions = MySqlModelOnly(keep: true);
    private static readonly DbContextOptions<MySqlNeighbourHubDbContext> MySqlAfreshOptions = MySqlModelOnly(keep: false);

    // Building the model and SQL needs no server.
    private static DbContextOptions<MySqlNeighbourHubDbContext> MySqlModelOnly(bool keep)
    {
        var m = new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>();
        DataExtensions.ConfigureMySql(m, "Server=127.0.0.1;Database=model-only", ServerVersion.Parse(new DatabaseOptions().ServerVersion), keep);
        return m.Options;
    }

    private static NeighbourHubDbContext Create(string provider, bool keep = true) => (provider, keep) switch
    {
        ("sqlite", true) => new SqliteNeighbourHubDbContext(SqliteOptions),
        ("sqlite", false) => new SqliteNeighbourHubDbContext(SqliteAfreshOptions),
        (_, true) => new MySqlNeighbourHubDbContext(MySqlOptions),
        _ => new MySqlNeighbourHubDbContext(MySqlAfreshOptions),
    };

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NeighbourHub.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
