using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeighbourHub.Web.Data;
using StackExchange.Redis;

namespace NeighbourHub.Web.Hosting;

internal sealed class DatabaseHealthCheck(IDbContextFactory<NeighbourHubDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy(db.Database.ProviderName)
                : HealthCheckResult.Unhealthy("Cannot connect to the database.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Database check failed.", e);
        }
    }
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Redis check failed.", e);
        }
    }
}
