using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.UnitTests;

/// <summary>
/// The tenancy convention holds for the whole model: every entity has a filter or a stated reason not to,
/// filters read the scope when a query runs (one compiled query for every scope), and the only way around
/// them is Unscoped with a listed reason. Which rows each role sees is proven against MariaDB by the
/// integration project's TenancyMatrixTests and ForeignScopeTests.
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
        Assert.Contains("@__ef_filter__ScopeIsAdmin_", repair, StringComparison.Ordinal);
        var bill = db.Set<Web.Features.Billing.Bill>().ToQueryString();
        Assert.Contains("FROM \"Residences\"", bill, StringComparison.Ordinal);
        Assert.Contains("\"r\".\"Status\" = 'Approved'", bill, StringComparison.Ordinal);
        // A child follows its parent through the foreign key (and the parent's own filter).
        var photo = db.Set<Web.Features.Repairs.RepairPhoto>().ToQueryString();
        Assert.Contains("\"r0\".\"Id\" = \"r\".\"RepairId\"", photo, StringComparison.Ordinal);
        Assert.Contains("\"r0\".\"ReporterId\" = @__ef_filter__ScopeResidentId", photo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_read_the_scope_when_the_query_runs_so_one_compiled_query_serves_every_scope()
    {
        var file = Path.Combine(Path.GetTempPath(), $"nh-tenancy-{Guid.NewGuid():N}.db");
        var compilations = 0;
        var o = new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>();
        DataExtensions.ConfigureSqlite(o, $"Data Source={file};Pooling=False");
        o.LogTo(_ => Interlocked.Increment(ref compilations), [CoreEventId.QueryCompilationStarting]);
        var options = o.Options;
        try
        {
            long north, south, communityId;
            await using (var db = new SqliteNeighbourHubDbContext(options) { Scope = CurrentScope.For(AccessScope.System) })
            {
                await db.Database.EnsureCreatedAsync();
                var street = new Street { Name = "街道" };
                db.Add(street);
                await db.SaveChangesAsync();
                var community = new Community { StreetId = street.Id, Name = "社区" };
                db.Add(community);
                await db.SaveChangesAsync();
                communityId = community.Id;
                north = await AddEstateWithOneHouseholdAsync(db, communityId, "北苑");
                south = await AddEstateWithOneHouseholdAsync(db, communityId, "南苑");
            }

            List<Type> filtered;
            await using (var db = new SqliteNeighbourHubDbContext(options))
            {
                filtered = db.Model.GetEntityTypes().Where(e => e.GetQueryFilter() is not null).Select(e => e.ClrType).ToList();
            }

            AccessScope[] scopes =
            [
                new(ScopeKind.Resident, false, [north], [communityId], ResidentId: 5),
                new(ScopeKind.Admin, false, [north, south], [communityId], AdminUserId: 7, OfficeCommunityIds: [communityId], OfficeEstateIds: [north, south]),
                new(ScopeKind.Admin, false, [south], [communityId], AdminUserId: 8),
                AccessScope.Nothing,
                AccessScope.System,
            ];
            var households = new List<int>();
            compilations = 0;
            foreach (var scope in scopes)
            {
                await using var db = new SqliteNeighbourHubDbContext(options) { Scope = CurrentScope.For(scope) };
                foreach (var type in filtered)
                {
                    var count = (int)CountMethod.MakeGenericMethod(type).Invoke(null, [db])!;
                    if (type == typeof(Household))
                    {
                        households.Add(count);
                    }
                }
            }

            // Each scope sees its own rows…
            Assert.Equal([1, 2, 1, 0, 2], households);
            // …from queries compiled once: a filter that folded the scope into the query would compile per scope.
            Assert.Equal(filtered.Count, compilations);
        }
        finally
        {
            File.Delete(file);
        }
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

    private static readonly MethodInfo CountMethod = typeof(TenancyConventionTests).GetMethod(nameof(Count), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static int Count<T>(NeighbourHubDbContext db)
        where T : class => db.Set<T>().Count();

    private static async Task<long> AddEstateWithOneHouseholdAsync(NeighbourHubDbContext db, long communityId, string name)
    {
        var estate = new Estate { CommunityId = communityId, Name = name };
        db.Add(estate);
        await db.SaveChangesAsync();
        var building = new Building { EstateId = estate.Id, Name = "1栋" };
        db.Add(building);
        await db.SaveChangesAsync();
        var unit = new Unit { EstateId = estate.Id, BuildingId = building.Id, Name = "1单元" };
        db.Add(unit);
        await db.SaveChangesAsync();
        db.Add(new Household { EstateId = estate.Id, BuildingId = building.Id, UnitId = unit.Id, Room = "101", AreaM2 = 88.5m });
        await db.SaveChangesAsync();
        return estate.Id;
    }

    private static NeighbourHubDbContext Create(string provider)
    {
        if (provider == "sqlite")
        {
            var o = new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>();
            DataExtensions.ConfigureSqlite(o, "Data Source=:memory:");
            return new SqliteNeighbourHubDbContext(o.Options);
        }

        // Building the model and SQL needs no server.
        var m = new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>();
        DataExtensions.ConfigureMySql(m, "Server=127.0.0.1;Database=model-only", ServerVersion.Parse(new DatabaseOptions().ServerVersion));
        return new MySqlNeighbourHubDbContext(m.Options);
    }

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
