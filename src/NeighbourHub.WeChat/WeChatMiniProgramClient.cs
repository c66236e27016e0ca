using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace NeighbourHub.WeChat;

/// <summary>
/// The mini-program server API over HTTP. Retries errcode -1 (busy) a couple of times, and on an
/// invalid or expired access token (40001/42001/40014) refreshes it once and retries once.
/// </summary>
public sealed class WeChatMiniProgramClient(
    HttpClient http,
    AccessTokenProvider tokens,
    IOptions<WeChatOptions> options,
    TimeProvider clock) : IWeChatMiniProgram
{
    private const int BusyRetries = 2;

    public Task<WeChatSession> Code2SessionAsync(string code, CancellationToken ct) =>
        WithBusyRetry(async () =>
        {
            var o = options.Value;
            var url = $"sns/jscode2session?appid={Uri.EscapeDataString(o.AppId)}&secret={Uri.EscapeDataString(o.AppSecret)}" +
                      $"&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code";
            var answer = await http.GetFromJsonAsync<Wire.SessionResponse>(url, Wire.Json, ct)
                ?? throw new WeChatApiException(-2, "empty jscode2session answer");
            ThrowOnError(answer);
            if (string.IsNullOrEmpty(answer.Openid))
            {
                throw new WeChatApiException(-2, "jscode2session answered without an openid");
            }

            return new WeChatSession(answer.Openid, answer.Unionid, answer.SessionKey ?? "");
        }, ct);

    public Task<WeChatPhone> GetPhoneNumberAsync(string code, CancellationToken ct) =>
        WithToken(async token =>
        {
            var answer = await PostAsync<Wire.PhoneResponse>($"wxa/business/getuserphonenumber?access_token={token}", new { code }, ct);
            ThrowOnError(answer);
            var info = answer.PhoneInfo ?? throw new WeChatApiException(-2, "getuserphonenumber answered without phone_info");
            return new WeChatPhone(info.PhoneNumber ?? "", info.PurePhoneNumber ?? info.PhoneNumber ?? "", info.CountryCode ?? "86");
        }, ct);

    public Task<SubscribeSendResult> SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken ct) =>
        WithToken(async token =>
        {
            var body = new
            {
                touser = message.ToOpenId,
                template_id = message.TemplateId,
                page = message.Page,
                data = message.Data.ToDictionary(kv => kv.Key, kv => new { value = kv.Value }),
                miniprogram_state = message.MiniProgramState,
                lang = message.Lang,
            };
            var answer = await PostAsync<Wire.SendResponse>($"cgi-bin/message/subscribe/send?access_token={token}", body, ct);
            var kind = WeChatErrorCodes.Classify(answer.Errcode);
            if (answer.Errcode is not 0 && kind is WeChatErrorKind.Busy or WeChatErrorKind.AccessTokenInvalid or WeChatErrorKind.RateLimited)
            {
                ThrowOnError(answer); // transient: let the retry wrappers (and the outbox) try again
            }

            return answer.Errcode switch
            {
                0 => new SubscribeSendResult(SubscribeSendOutcome.Sent, answer.Msgid, 0, answer.Errmsg),
                43101 => new SubscribeSendResult(SubscribeSendOutcome.NoQuota, null, answer.Errcode, answer.Errmsg),
                _ => new SubscribeSendResult(SubscribeSendOutcome.Rejected, null, answer.Errcode, answer.Errmsg),
            };
        }, ct);

    public Task<ContentCheckResult> CheckTextAsync(string openId, int scene, string content, CancellationToken ct) =>
        WithToken(async token =>
        {
            var body = new { version = 2, openid = openId, scene, content };
            var answer = await PostAsync<Wire.SecCheckResponse>($"wxa/msg_sec_check?access_token={token}", body, ct);
            // The verdict is in result.suggest; errcode only says whether the call itself worked.
            if (answer.Result?.Suggest is null)
            {
                ThrowOnError(answer);
                throw new WeChatApiException(-2, "msg_sec_check answered without a verdict");
            }

            var suggestion = answer.Result.Suggest switch
            {
                "pass" => ContentSuggestion.Pass,
                "risky" => ContentSuggestion.Risky,
                _ => ContentSuggestion.Review,
            };
            return new ContentCheckResult(suggestion, answer.Result.Label);
        }, ct);

    private async Task<T> PostAsync<T>(string url, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(url, body, Wire.Json, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(Wire.Json, ct)
            ?? throw new WeChatApiException(-2, $"empty answer from {url.Split('?')[0]}");
    }

    /// <summary>Runs a call needing the access token; on a token error refreshes once and retries once.</summary>
    private Task<T> WithToken<T>(Func<string, Task<T>> call, CancellationToken ct) =>
        WithBusyRetry(async () =>
        {
            var token = await tokens.GetAsync(ct);
            try
            {
                return await call(token);
            }
            catch (WeChatApiException e) when (e.Kind == WeChatErrorKind.AccessTokenInvalid)
            {
                var fresh = await tokens.GetAsync(rejected: token, ct);
                return await call(fresh);
            }
        }, ct);

    private async Task<T> WithBusyRetry<T>(Func<Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (WeChatApiException e) when (e.Kind == WeChatErrorKind.Busy && attempt < BusyRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), clock, ct);
            }
        }
    }

    private static void ThrowOnError(Wire.ErrorPart answer)
    {
        if (answer.Errcode != 0)
        {
            throw new WeChatApiException(answer.Errcode, answer.Errmsg);
        }
    }
}
