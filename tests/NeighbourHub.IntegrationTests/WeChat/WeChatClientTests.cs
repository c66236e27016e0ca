using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeighbourHub.TestSupport;
using NeighbourHub.WeChat;
using StackExchange.Redis;

namespace NeighbourHub.IntegrationTests;

/// <summary>The typed WeChat client over real HTTP against the fake, with its token in real Redis.</summary>
public sealed class WeChatClientTests : IAsyncLifetime
{
    private FakeWeChatServer _wechat = null!;
    private ConnectionMultiplexer _redis = null!;
    private readonly string _prefix = $"nh-wechat-test-{Guid.NewGuid():N}:";

    public async Task InitializeAsync()
    {
        _wechat = await FakeWeChatServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _wechat.DisposeAsync();
    }

    /// <summary>One "instance": its own container and HTTP clients, sharing Redis with the others.</summary>
    private ServiceProvider Instance()
    {
        var services = new ServiceCollection();
        var options = new WeChatOptions { AppId = FakeWeChatServer.AppId, AppSecret = FakeWeChatServer.AppSecret, BaseUrl = _wechat.BaseUrl };
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<IConnectionMultiplexer>(_redis);
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:KeyPrefix"] = _prefix }).Build());
        services.AddSingleton<IAccessTokenStore, Web.Hosting.RedisAccessTokenStore>();
        services.AddWeChatMiniProgram(options);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Three_instances_racing_share_exactly_one_access_token()
    {
        var instances = Enumerable.Range(0, 3).Select(_ => Instance()).ToList();
        var calls = instances.SelectMany(sp => Enumerable.Range(0, 10).Select(i =>
            sp.GetRequiredService<IWeChatMiniProgram>().CheckTextAsync("o-x", 2, $"你好 {i}", CancellationToken.None)));
        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal(ContentSuggestion.Pass, r.Suggestion));
        Assert.Equal(1, _wechat.StableTokenCalls);

        // WeChat invalidates it: the first caller to notice refreshes once; everyone then uses the new one.
        _wechat.InvalidateCurrentToken();
        var after = await Task.WhenAll(instances.Select(sp =>
            sp.GetRequiredService<IWeChatMiniProgram>().CheckTextAsync("o-x", 2, "再来", CancellationToken.None)));
        Assert.All(after, r => Assert.Equal(ContentSuggestion.Pass, r.Suggestion));
        Assert.InRange(_wechat.StableTokenCalls, 2, 2 + instances.Count - 1);
        foreach (var sp in instances)
        {
            await sp.DisposeAsync();
        }
    }

    [Fact]
    public async Task Errcodes_become_meaningful_results()
    {
        await using var sp = Instance();
        var wechat = sp.GetRequiredService<IWeChatMiniProgram>();

        var session = await wechat.Code2SessionAsync("busy-lin", CancellationToken.None); // -1 once, then retried
        Assert.Equal("o-lin", session.OpenId);
        Assert.Equal("u-lin", session.UnionId);
        Assert.Equal(WeChatErrorKind.CodeUsed, (await Assert.ThrowsAsync<WeChatApiException>(() => wechat.Code2SessionAsync("used-1", CancellationToken.None))).Kind);
        Assert.Equal(WeChatErrorKind.InvalidCode, (await Assert.ThrowsAsync<WeChatApiException>(() => wechat.Code2SessionAsync("x", CancellationToken.None))).Kind);
        Assert.Equal(WeChatErrorKind.RiskyUser, (await Assert.ThrowsAsync<WeChatApiException>(() => wechat.Code2SessionAsync("risky-1", CancellationToken.None))).Kind);

        var phone = await wechat.GetPhoneNumberAsync("phone-13812345678", CancellationToken.None);
        Assert.Equal("13812345678", phone.PurePhoneNumber);
        Assert.Equal("86", phone.CountryCode);

        var sent = await wechat.SendSubscribeMessageAsync(new SubscribeMessage("o-lin", "tpl-ok", "pages/index", new Dictionary<string, string> { ["thing1"] = "报修已受理" }), CancellationToken.None);
        Assert.Equal(SubscribeSendOutcome.Sent, sent.Outcome);
        Assert.NotNull(sent.MsgId);
        var wire = _wechat.SentMessages.Last();
        Assert.Equal("报修已受理", wire.GetProperty("data").GetProperty("thing1").GetProperty("value").GetString());
        Assert.Equal("o-lin", wire.GetProperty("touser").GetString());

        var noQuota = await wechat.SendSubscribeMessageAsync(new SubscribeMessage("o-lin", "no-quota", null, new Dictionary<string, string>()), CancellationToken.None);
        Assert.Equal(SubscribeSendOutcome.NoQuota, noQuota.Outcome);
        Assert.Equal(43101, noQuota.ErrCode);
        var rejected = await wechat.SendSubscribeMessageAsync(new SubscribeMessage("o-lin", "bad-template", null, new Dictionary<string, string>()), CancellationToken.None);
        Assert.Equal(SubscribeSendOutcome.Rejected, rejected.Outcome);

        Assert.Equal(ContentSuggestion.Risky, (await wechat.CheckTextAsync("o-lin", 2, "违禁内容", CancellationToken.None)).Suggestion);
        var review = await wechat.CheckTextAsync("o-lin", 2, "待审内容", CancellationToken.None);
        Assert.Equal(ContentSuggestion.Review, review.Suggestion);
        Assert.Equal("21000", review.Label); // a numeric label read as text
    }
}
