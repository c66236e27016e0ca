using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace NeighbourHub.WeChat;

/// <summary><c>POST /cgi-bin/stable_token</c>: the raw fetch; <see cref="AccessTokenProvider"/> decides when.</summary>
public sealed class StableTokenClient(HttpClient http, IOptions<WeChatOptions> options)
{
    public sealed record Fetched(string Token, int ExpiresInSeconds);

    public async Task<Fetched> FetchAsync(bool forceRefresh, CancellationToken ct)
    {
        var o = options.Value;
        var body = new { grant_type = "client_credential", appid = o.AppId, secret = o.AppSecret, force_refresh = forceRefresh };
        using var response = await http.PostAsJsonAsync("cgi-bin/stable_token", body, ct);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<Wire.TokenResponse>(Wire.Json, ct)
            ?? throw new WeChatApiException(-2, "empty stable_token answer");
        if (answer.Errcode != 0 || string.IsNullOrEmpty(answer.AccessToken))
        {
            throw new WeChatApiException(answer.Errcode, answer.Errmsg);
        }

        return new Fetched(answer.AccessToken, answer.ExpiresIn);
    }
}
