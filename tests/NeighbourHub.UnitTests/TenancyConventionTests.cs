using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.UnitTests;

/// <summary>
/// The only way around the tenancy filters is Unscoped with a listed reason. Which rows each role sees is
/// proven against MariaDB by the integration project's TenancyMatrixTests and ForeignScopeTests.
/// </summary>
public sealed class TenancyConventionTests
{
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
