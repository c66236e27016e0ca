using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace NeighbourHub.Web.Data;

// Used only by `dotnet ef`: builds each provider's context without starting the host or a server.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNeighbourHubDbContext>
{
    public SqliteNeighbourHubDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>();
        DataExtensions.ConfigureSqlite(o, "Data Source=design-time.db");
        return new SqliteNeighbourHubDbContext(o.Options);
    }
}

internal sealed class MySqlDesignTimeFactory : IDesignTimeDbContextFactory<MySqlNeighbourHubDbContext>
{
    public MySqlNeighbourHubDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>();
        DataExtensions.ConfigureMySql(o, "Server=127.0.0.1;Database=neighbourhub", ServerVersion.Parse(new DatabaseOptions().ServerVersion));
        return new MySqlNeighbourHubDbContext(o.Options);
    }
}
