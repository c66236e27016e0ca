using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeighbourHub.WeChat;

namespace NeighbourHub.UnitTests;

public sealed class WeChatTokenTests
{
    private sealed class CountingTokenHandler : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref Calls);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"{{\"access_token\":\"t{n}\",\"expires_in\":7200}}", Encoding.UTF8, "application/json"),
            });
        }
    }

    private static (AccessTokenProvider Provider, CountingTokenHandler Handler, FakeTimeProvider Clock) Create()
    {
        var handler = new CountingTokenHandler();
        var options = Options.Create(new WeChatOptions { AppId = "wx1", AppSecret = "s" });
        var client = new StableTokenClient(new HttpClient(handler) { BaseAddress = new Uri("https://api.weixin.qq.com/") }, options);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        return (new AccessTokenProvider(new InProcessAccessTokenStore(), client, options, clock), handler, clock);
    }

    [Fact]
    public async Task The_token_is_reused_until_five_minutes_before_expiry()
    {
        var (provider, handler, clock) = Create();
        Assert.Equal("t1", await provider.GetAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(114));
        Assert.Equal("t1", await provider.GetAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("t2", await provider.GetAsync(CancellationToken.None));
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task A_rejected_token_is_replaced_once()
    {
        var (provider, handler, _) = Create();
        var first = await provider.GetAsync(CancellationToken.None);
        Assert.Equal("t2", await provider.GetAsync(first, CancellationToken.None));
        // Somebody else's rejection of the already-replaced token does not fetch a third.
        Assert.Equal("t2", await provider.GetAsync(first, CancellationToken.None));
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task The_sandbox_accepts_dev_codes_only()
    {
        var sandbox = new SandboxWeChatMiniProgram();
        Assert.Equal("dev-zhang", (await sandbox.Code2SessionAsync("dev-zhang", CancellationToken.None)).OpenId);
        var e = await Assert.ThrowsAsync<WeChatApiException>(() => sandbox.Code2SessionAsync("zhang", CancellationToken.None));
        Assert.Equal(WeChatErrorKind.InvalidCode, e.Kind);
        Assert.Equal("13812341234", (await sandbox.GetPhoneNumberAsync("dev-13812341234", CancellationToken.None)).PurePhoneNumber);
        await sandbox.SendSubscribeMessageAsync(new SubscribeMessage("dev-zhang", "t", null, new Dictionary<string, string>()), CancellationToken.None);
        Assert.Single(sandbox.SentMessages);
    }

    [Theory]
    [InlineData(-1, WeChatErrorKind.Busy)]
    [InlineData(40029, WeChatErrorKind.InvalidCode)]
    [InlineData(40163, WeChatErrorKind.CodeUsed)]
    [InlineData(45011, WeChatErrorKind.RateLimited)]
    [InlineData(40226, WeChatErrorKind.RiskyUser)]
    [InlineData(42001, WeChatErrorKind.AccessTokenInvalid)]
    [InlineData(43101, WeChatErrorKind.NoSubscribeQuota)]
    [InlineData(12345, WeChatErrorKind.Unknown)]
    public void Errcodes_are_classified(int code, WeChatErrorKind kind) => Assert.Equal(kind, WeChatErrorCodes.Classify(code));
}
