using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

public sealed class AuthTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task Login_through_WeChat_creates_the_resident_once_and_retries_a_busy_WeChat()
    {
        var client = App.CreateClient();
        var first = await Json(await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "busy-chen" }));
        var again = await Json(await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "wx-chen" }));
        Assert.Equal(first.GetProperty("resident").GetProperty("id").GetInt64(), again.GetProperty("resident").GetProperty("id").GetInt64());
        Assert.True(first.GetProperty("expiresIn").GetInt32() > 0);
        await using var db = App.SystemDb();
        var resident = await db.Residents.SingleAsync(r => r.OpenId == "o-chen");
        Assert.Equal("u-chen", resident.UnionId);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_work_once_and_reuse_revokes_the_family()
    {
        var client = App.CreateClient();
        var login = await Json(await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "wx-rotate" }));
        var first = login.GetProperty("refreshToken").GetString();

        var refreshed = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await Json(refreshed)).GetProperty("refreshToken").GetString();
        Assert.NotEqual(first, second);

        // The first token leaked and is replayed: refused, and the legitimate second one dies with it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "made-up" })).StatusCode);

        await using var db = App.SystemDb();
        Assert.DoesNotContain(await db.RefreshTokens.Select(t => t.TokenHash).ToListAsync(), h => h == first || h == second); // only hashes stored
    }

    [Fact]
    public async Task Racing_refreshes_with_one_token_issue_one_new_pair()
    {
        var client = App.CreateClient();
        var login = await Json(await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "wx-race-refresh" }));
        var token = login.GetProperty("refreshToken").GetString();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = token })));
        Assert.True(results.Count(r => r.StatusCode == HttpStatusCode.OK) <= 1);
        Assert.Contains(results, r => r.StatusCode == HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Phone_binding_goes_through_WeChat_and_answers_masked()
    {
        var resident = await App.ResidentClientAsync("wx-phone");
        var bound = await resident.PostAsJsonAsync("/api/v1/auth/wechat/phone", new { code = "phone-13812341234" });
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        Assert.Equal("138****1234", (await Json(bound)).GetProperty("phoneMasked").GetString());
        Assert.Equal("138****1234", (await Json(await resident.GetAsync("/api/v1/me"))).GetProperty("phoneMasked").GetString());

        // WeChat invalidates the token (another party fetched one): the client refreshes once and retries.
        WeChat.InvalidateCurrentToken();
        var again = await resident.PostAsJsonAsync("/api/v1/auth/wechat/phone", new { code = "phone-13900001111" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var bad = await resident.PostAsJsonAsync("/api/v1/auth/wechat/phone", new { code = "garbage" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Admin_token_is_refused_as_a_resident_token_and_tampering_is_detected()
    {
        var login = await Json(await App.CreateClient().PostAsJsonAsync("/api/v1/admin/auth/login", new { userName = "platform", password = TestOrg.Password }));
        var token = login.GetProperty("accessToken").GetString()!;
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^2] + (token[^2] == 'A' ? "BB" : "AA"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/admin/estates")).StatusCode);
    }
}
