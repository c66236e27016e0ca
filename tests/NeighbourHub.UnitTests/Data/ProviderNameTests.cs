using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using Xunit;

namespace NeighbourHub.UnitTests.Data;

/// <summary>The app tells SQLite apart by EF's provider name so that MariaDB deployments never load the SQLite provider (ADR 0010).</summary>
public sealed class ProviderNameTests
{
    [Fact]
    public void The_name_is_the_one_EF_reports_for_SQLite()
    {
        var options = (DbContextOptions<SqliteNeighbourHubDbContext>)DataExtensions.ConfigureSqlite(new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>(), "Data Source=:memory:").Options;
        using var db = new SqliteNeighbourHubDbContext(options);
        Assert.Equal(DatabaseProviders.SqliteProviderName, db.Database.ProviderName);
        Assert.True(db.Database.IsSqliteProvider());
        Assert.Equal(db.Database.IsSqlite(), db.Database.IsSqliteProvider());
    }

    [Fact]
    public void MariaDB_is_not_SQLite()
    {
        var options = (DbContextOptions<MySqlNeighbourHubDbContext>)DataExtensions.ConfigureMySql(new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>(), "Server=db;Database=nh",
            Microsoft.EntityFrameworkCore.ServerVersion.Parse("10.11.0-mariadb")).Options;
        using var db = new MySqlNeighbourHubDbContext(options);
        Assert.False(db.Database.IsSqliteProvider());
    }
}
