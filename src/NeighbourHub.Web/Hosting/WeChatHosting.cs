using Microsoft.Extensions.Options;
using NeighbourHub.WeChat;
using StackExchange.Redis;

namespace NeighbourHub.Web.Hosting;

public static class WeChatHosting
{
    public static WebApplicationBuilder AddWeChat(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WeChatOptions.SectionName);
        var options = section.Get<WeChatOptions>() ?? new WeChatOptions();
        builder.Services.AddOptions<WeChatOptions>().BindConfiguration(WeChatOptions.SectionName);

        // The sandbox signs anyone in as anyone: it must never reach production by accident.
        if (options.UsesSandbox && builder.Environment.IsProduction() && !options.Sandbox)
        {
            throw new InvalidOperationException(
                "WeChat:AppId is empty in Production. Configure WeChat:AppId and WeChat:AppSecret, " +
                "or set WeChat:Sandbox=true to run the sandbox deliberately.");
        }

        if (!options.UsesSandbox && string.IsNullOrWhiteSpace(options.AppSecret))
        {
            throw new InvalidOperationException("WeChat:AppId is set but WeChat:AppSecret is empty.");
        }

        if (builder.Configuration.UsesRedis())
        {
            builder.Services.AddSingleton<IAccessTokenStore, RedisAccessTokenStore>();
        }

        builder.Services.AddWeChatMiniProgram(options);
        builder.AddWeChatPay(options.AppId);
        return builder;
    }

    /// <summary>WeChat Pay v3: the real client when a merchant is configured, otherwise the sandbox (refused in Production unless allowed).</summary>
    private static void AddWeChatPay(this WebApplicationBuilder builder, string miniProgramAppId)
    {
        var pay = builder.Configuration.GetSection(NeighbourHub.WeChat.Pay.WeChatPayOptions.SectionName).Get<NeighbourHub.WeChat.Pay.WeChatPayOptions>()
                  ?? new NeighbourHub.WeChat.Pay.WeChatPayOptions();
        builder.Services.AddOptions<NeighbourHub.WeChat.Pay.WeChatPayOptions>().BindConfiguration(NeighbourHub.WeChat.Pay.WeChatPayOptions.SectionName);
        if (pay.UseSandbox)
        {
            if (builder.Environment.IsProduction() && !pay.AllowSandboxInProduction)
            {
                throw new InvalidOperationException(
                    "WeChatPay:MchId is empty in Production. Configure the merchant (MchId, AppId, keys, NotifyUrl), " +
                    "or set WeChatPay:AllowSandboxInProduction=true for a demo server.");
            }

            builder.Services.AddSingleton<NeighbourHub.WeChat.Pay.IWeChatPay>(sp =>
                new NeighbourHub.WeChat.Pay.SandboxWeChatPay(string.IsNullOrEmpty(pay.AppId) ? miniProgramAppId : pay.AppId, sp.GetRequiredService<TimeProvider>()));
            return;
        }

        var keys = NeighbourHub.WeChat.Pay.WeChatPayKeys.Load(pay);
        builder.Services.AddHttpClient<NeighbourHub.WeChat.Pay.IWeChatPay, NeighbourHub.WeChat.Pay.WeChatPayClient>(http =>
            {
                http.BaseAddress = new Uri(pay.BaseUrl.TrimEnd('/') + "/");
                http.Timeout = TimeSpan.FromSeconds(pay.TimeoutSeconds);
            })
            .AddTypedClient<NeighbourHub.WeChat.Pay.IWeChatPay>((http, sp) => new NeighbourHub.WeChat.Pay.WeChatPayClient(http, keys, sp.GetRequiredService<TimeProvider>()));
    }
}

/// <summary>
/// The app's one access token in Redis, and a lock (SET NX PX with an owner token, released by a
/// compare-and-delete script) so exactly one instance refreshes it.
/// </summary>
internal sealed class RedisAccessTokenStore(IConnectionMultiplexer redis, IConfiguration configuration) : IAccessTokenStore
{
    private readonly string _prefix = (configuration["Redis:KeyPrefix"] ?? "nh:") + "wechat:";

    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    public async Task<CachedAccessToken?> GetAsync(string appId, CancellationToken ct)
    {
        var values = await redis.GetDatabase().HashGetAsync(_prefix + "token:" + appId, ["token", "expiresAt"]);
        if (values[0].IsNullOrEmpty || values[1].IsNullOrEmpty)
        {
            return null;
        }

        return new CachedAccessToken(values[0]!, DateTimeOffset.FromUnixTimeMilliseconds((long)values[1]));
    }

    public async Task SetAsync(string appId, CachedAccessToken token, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = _prefix + "token:" + appId;
        await db.HashSetAsync(key, [new("token", token.Token), new("expiresAt", token.ExpiresAt.ToUnixTimeMilliseconds())]);
        await db.KeyExpireAsync(key, token.ExpiresAt.UtcDateTime);
    }

    public async Task<IAsyncDisposable?> TryLockAsync(string appId, TimeSpan leaseTime, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = _prefix + "token-lock:" + appId;
        var owner = Guid.NewGuid().ToString("N");
        return await db.StringSetAsync(key, owner, leaseTime, When.NotExists) ? new Lease(db, key, owner) : null;
    }

    private sealed class Lease(IDatabase db, string key, string owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.ScriptEvaluateAsync(ReleaseScript, [key], [owner]);
    }
}
