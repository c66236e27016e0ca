using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

/// <summary>
/// A floor for bench/outside.sh's memory figures (ADR 0010): Kestrel and EF Core with the app's own model on the same
/// MariaDB, tenancy filters on, and nothing else of the app — no Redis, Identity, tokens, features, console or
/// telemetry. <c>GET /floor</c> counts the flats as the system scope, so the model is built and one query compiled, as
/// a serving start-up does before its first answer. Its idle memory beside the reference's (bare Kestrel and
/// MySqlConnector) says how much of the app's idle figure EF Core and the model hold before any feature runs.
///   ConnectionStrings__Floor="Server=…" dotnet NeighbourHub.Bench.dll memory-floor http://127.0.0.1:5098
/// </summary>
internal static class MemoryFloor
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Floor");
        if (args.Length < 2 || string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine("ConnectionStrings__Floor=… memory-floor <url>");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(args[1]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var options = new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>()
            .UseMySql(connectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion))
            .Options;
        var app = builder.Build();
        app.MapGet("/floor", async (CancellationToken ct) =>
        {
            await using var db = new MySqlNeighbourHubDbContext(options) { Scope = CurrentScope.For(AccessScope.System) };
            return await db.Households.CountAsync(ct);
        });
        await app.RunAsync();
        return 0;
    }
}
