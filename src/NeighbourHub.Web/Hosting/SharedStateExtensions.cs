using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// State that several instances must share: the distributed cache, data-protection keys (cookies and
/// antiforgery tokens must decrypt on every instance) and the WeChat access token. Redis when
/// <c>ConnectionStrings:Redis</c> is set; in-process equivalents otherwise (one instance only).
/// </summary>
public static class SharedStateExtensions
{
    public static bool UsesRedis(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));

    public static WebApplicationBuilder AddSharedState(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.GetConnectionString("Redis");
        var prefix = builder.Configuration["Redis:KeyPrefix"] ?? "nh:";
        var dataProtection = services.AddDataProtection().SetApplicationName("NeighbourHub");

        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddDistributedMemoryCache();
            var keys = Path.Combine(builder.Environment.ContentRootPath, "data", "keys");
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
            return builder;
        }

        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        var multiplexer = ConnectionMultiplexer.Connect(options);
        services.AddSingleton<IConnectionMultiplexer>(multiplexer);
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer);
            o.InstanceName = prefix + "cache:";
        });
        dataProtection.PersistKeysToStackExchangeRedis(multiplexer, prefix + "dataprotection-keys");
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return builder;
    }
}
