using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Features.Demo;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Data;

public static class DatabaseStartup
{
    /// <summary>
    /// SQLite migrates itself (it is the laptop default). MySQL is migrated by deploy/migrate.sh before
    /// a release; here we only refuse to start against a schema that is behind the code.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        await using (var db = app.Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>().CreateDbContext())
        {
            db.Scope = CurrentScope.For(AccessScope.System);
            if (options.Provider == DatabaseProvider.Sqlite && options.MigrateOnStart)
            {
                await db.Database.MigrateAsync();
            }
            else
            {
                var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
                if (pending.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"The database is missing {pending.Count} migration(s) ({string.Join(", ", pending)}). Run deploy/migrate.sh first.");
                }
            }

            // The repair day figures (ADR 0013) are counted once from the repairs after the migration that adds them.
            await Features.Repairs.RepairDayFigures.BackfillAsync(db, CancellationToken.None);
        }

        var demo = app.Configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>() ?? new DemoOptions();
        if (demo.Seed ?? options.Provider == DatabaseProvider.Sqlite)
        {
            await app.Services.GetRequiredService<DemoData>().SeedAsync(demo.Password, CancellationToken.None);
        }
    }
}
