using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NeighbourHub.TestSupport;

/// <summary>
/// A local stand-in for https://api.weixin.qq.com speaking the same HTTP protocol: real Kestrel, real
/// JSON, WeChat's errcodes and quirks (countryCode as a string, one valid access token per app).
/// Login codes: <c>wx-&lt;name&gt;</c> → openid <c>o-&lt;name&gt;</c>; <c>busy-&lt;name&gt;</c> answers -1 once;
/// <c>used-…</c> 40163; <c>risky-…</c> 40226; anything else 40029. Phone codes: <c>phone-&lt;number&gt;</c>.
/// </summary>
public sealed class FakeWeChatServer : IAsyncDisposable
{
    public const string AppId = "wxfake0000000001";
    public const string AppSecret = "fake-secret";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _busyCodes = new();
    private int _tokenCounter;
    private volatile string? _validToken;

    public ConcurrentQueue<JsonElement> SentMessages { get; } = new();

    public int StableTokenCalls => _tokenCounter;

    /// <summary>Simulated network latency of stable_token, to widen refresh races.</summary>
    public TimeSpan TokenLatency { get; set; } = TimeSpan.FromMilliseconds(50);

    public string BaseUrl { get; }

    private FakeWeChatServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Makes WeChat forget the current token, as when someone else fetched a new one.</summary>
    public void InvalidateCurrentToken() => _validToken = "invalidated";

    public static async Task<FakeWeChatServer> StartAsync()
    {
        FakeWeChatServer? self = null;
        var (app, address) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/sns/jscode2session", (HttpRequest r) => self!.Session(r));
            app.MapPost("/cgi-bin/stable_token", async (HttpRequest r) => await self!.StableToken(r));
            app.MapPost("/wxa/business/getuserphonenumber", async (HttpRequest r) => await self!.WithToken(r, self.Phone));
            app.MapPost("/cgi-bin/message/subscribe/send", async (HttpRequest r) => await self!.WithToken(r, self.Send));
            app.MapPost("/wxa/msg_sec_check", async (HttpRequest r) => await self!.WithToken(r, SecCheck));
        });
        self = new FakeWeChatServer(app, address);
        return self;
    }

    private IResult Session(HttpRequest r)
    {
        if (r.Query["appid"] != AppId || r.Query["secret"] != AppSecret || r.Query["grant_type"] != "authorization_code")
        {
            return Error(40013, "invalid appid");
        }

        var code = r.Query["js_code"].ToString();
        if (code.StartsWith("busy-", StringComparison.Ordinal) && _busyCodes.AddOrUpdate(code, 1, (_, n) => n + 1) == 1)
        {
            return Error(-1, "system error");
        }

        return code switch
        {
            _ when code.StartsWith("wx-", StringComparison.Ordinal) || code.StartsWith("busy-", StringComparison.Ordinal) =>
                Results.Json(new { openid = "o-" + code[(code.IndexOf('-') + 1)..], session_key = "c2Vzc2lvbg==", unionid = "u-" + code[(code.IndexOf('-') + 1)..] }),
            _ when code.StartsWith("used-", StringComparison.Ordinal) => Error(40163, "code been used"),
            _ when code.StartsWith("risky-", StringComparison.Ordinal) => Error(40226, "user is blocked"),
            _ => Error(40029, "invalid code"),
        };
    }

    private async Task<IResult> StableToken(HttpRequest r)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(r.Body);
        if (body.GetProperty("appid").GetString() != AppId || body.GetProperty("secret").GetString() != AppSecret
            || body.GetProperty("grant_type").GetString() != "client_credential")
        {
            return Error(40013, "invalid appid");
        }

        await Task.Delay(TokenLatency);
        var n = Interlocked.Increment(ref _tokenCounter);
        _validToken = $"fake-token-{n}";
        return Results.Json(new { access_token = _validToken, expires_in = 7200 });
    }

    private async Task<IResult> WithToken(HttpRequest r, Func<JsonElement, IResult> handler)
    {
        var token = r.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token) || token != _validToken)
        {
            return Error(40001, "invalid credential, access_token is invalid or not latest");
        }

        var body = await JsonSerializer.DeserializeAsync<JsonElement>(r.Body);
        return handler(body);
    }

    private IResult Phone(JsonElement body)
    {
        var code = body.GetProperty("code").GetString() ?? "";
        if (!code.StartsWith("phone-", StringComparison.Ordinal))
        {
            return Error(40029, "invalid code");
        }

        var number = code["phone-".Length..];
        // WeChat documents countryCode as a string; some answers carry it as a number.
        return Results.Json(new
        {
            errcode = 0,
            errmsg = "ok",
            phone_info = new { phoneNumber = number, purePhoneNumber = number, countryCode = "86", watermark = new { timestamp = 1700000000, appid = AppId } },
        });
    }

    private IResult Send(JsonElement body)
    {
        SentMessages.Enqueue(body.Clone());
        return body.GetProperty("template_id").GetString() switch
        {
            "no-quota" => Error(43101, "user refuse to accept the msg"),
            "bad-template" => Error(40037, "invalid template_id"),
            "busy-template" => Error(-1, "system error"),
            _ => Results.Json(new { errcode = 0, errmsg = "ok", msgid = 1000 + SentMessages.Count }),
        };
    }

    private static IResult SecCheck(JsonElement body)
    {
        var content = body.GetProperty("content").GetString() ?? "";
        var (suggest, label) = content.Contains("违禁", StringComparison.Ordinal) ? ("risky", 20001)
            : content.Contains("待审", StringComparison.Ordinal) ? ("review", 21000)
            : ("pass", 100);
        // label arrives as a number here; WeChat's docs show both forms.
        return Results.Json(new { errcode = 0, errmsg = "ok", result = new { suggest, label }, trace_id = Guid.NewGuid().ToString("N") });
    }

    private static IResult Error(int code, string message) => Results.Json(new { errcode = code, errmsg = message });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
