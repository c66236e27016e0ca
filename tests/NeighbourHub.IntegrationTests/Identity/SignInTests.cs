using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Identity;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// Admin lockout on the shared MariaDB app: counted per (account, address), shared by instances through
/// the database, the same answer for a wrong password, an unknown name and a locked one, lifted from the console.
/// </summary>
public sealed class AdminLockoutTests(AppFixture fixture) : AppTest(fixture)
{
    private const string Attacker = "203.0.113.66";
    private const string Office = "198.51.100.10";

    [Fact]
    public async Task A_stranger_locks_a_name_out_of_their_own_address_only_and_learns_nothing()
    {
        var wrong = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < 6; i++)
        {
            wrong.Add(await LoginAsync("adminB", "wrong-password", Attacker));
        }

        // Locked from the attacker's address: even the right password answers exactly like a wrong one.
        var locked = await LoginAsync("adminB", TestOrg.Password, Attacker);
        // An unknown name answers the same, before and after its own "lockout".
        var unknown = new List<(HttpStatusCode, string)>();
        for (var i = 0; i < 7; i++)
        {
            unknown.Add(await LoginAsync("nobody-here", "whatever1", Attacker));
        }

        Assert.All(wrong.Append(locked).Concat(unknown), answer => Assert.Equal(wrong[0], answer));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong[0].Item1);
        Assert.Contains("用户名或密码错误", wrong[0].Item2, StringComparison.Ordinal);

        // The real admin, at the office, is not locked out by any of it.
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("adminB", TestOrg.Password, Office)).Item1);
    }

    [Fact]
    public async Task Failures_from_racing_requests_are_all_counted()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => LoginAsync("adminA", "wrong-password", Attacker)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Item1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync("adminA", TestOrg.Password, Attacker)).Item1);
    }

    [Fact]
    public async Task A_platform_admin_unlocks_from_the_console_and_the_unlock_is_audited()
    {
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync("adminA", "wrong-password", Office);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync("adminA", TestOrg.Password, Office)).Item1);

        await using (var db = App.SystemDb())
        {
            var accounts = App.Services.GetRequiredService<AdminAccounts>();
            var platform = db.Users.Single(u => u.UserName == "platform");
            db.Scope = Web.Tenancy.CurrentScope.For(new Web.Tenancy.AccessScope(Web.Tenancy.ScopeKind.Admin, true, [], [], AdminUserId: platform.Id, ActorName: "platform"));
            var row = (await accounts.ListAsync(db, default)).Single(a => a.UserName == "adminA");
            Assert.True(row.IsLockedOut);
            await accounts.UnlockAsync(db, row.Id, default);
            Assert.False((await accounts.ListAsync(db, default)).Single(a => a.UserName == "adminA").IsLockedOut);
            Assert.Contains(db.AuditLogs, a => a.EntityType == nameof(AdminSignInAddress) && a.ActorName == "platform" && a.Action == "modified");
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("adminA", TestOrg.Password, Office)).Item1);
    }

    private async Task<(HttpStatusCode, string)> LoginAsync(string userName, string password, string peer)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, peer);
        var response = await client.PostAsJsonAsync("/api/v1/admin/auth/login", new { userName, password });
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return (response.StatusCode, "");
        }

        var problem = await Json(response);
        return (response.StatusCode, $"{problem.GetProperty("title").GetString()}|{problem.GetProperty("detail").GetString()}");
    }
}

/// <summary>Sign-in rate limits, each on an app of its own (SQLite) with tight limits.</summary>
public sealed class SignInRateLimitTests
{
    private static NeighbourHubAppFactory AppWith(params (string Key, string Value)[] settings) =>
        NeighbourHubAppFactory.OnSqlite(wechat: null, settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    private static HttpClient From(NeighbourHubAppFactory app, string peer, string? forwardedFor = null)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, peer);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return client;
    }

    private static Task<HttpResponseMessage> AdminLogin(HttpClient client, string userName = "nobody") =>
        client.PostAsJsonAsync("/api/v1/admin/auth/login", new { userName, password = "wrong-password" });

    [Fact]
    public async Task A_spoofed_forwarded_for_from_an_untrusted_address_does_not_dodge_the_limit()
    {
        await using var app = AppWith(("RateLimiting:AdminLoginPerAddressPerMinute", "3"));
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((await AdminLogin(From(app, "203.0.113.7", forwardedFor: $"10.9.8.{i}"))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_each_client_address_has_its_own_bucket()
    {
        await using var app = AppWith(("RateLimiting:AdminLoginPerAddressPerMinute", "2"), ("ForwardedHeaders:KnownProxies", "192.0.2.1"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await AdminLogin(From(app, "192.0.2.1", forwardedFor: $"100.64.0.{i}"))).StatusCode);
        }

        // The proxy's clients still hit their own limit.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminLogin(From(app, "192.0.2.1", forwardedFor: "100.64.0.0"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AdminLogin(From(app, "192.0.2.1", forwardedFor: "100.64.0.0"))).StatusCode);
    }

    [Fact]
    public async Task Residents_on_one_network_never_use_up_the_staffs_logins()
    {
        await using var app = AppWith(("RateLimiting:ResidentLoginPerAddressPerMinute", "3"), ("RateLimiting:RefreshPerAddressPerMinute", "2"),
            ("RateLimiting:AdminLoginPerAddressPerMinute", "2"));
        var hall = From(app, "198.51.100.77");
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await hall.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = $"dev-neighbour{i}" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        var limited = await hall.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-late" });
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        // Refreshes and admin logins from the same address have buckets of their own.
        Assert.Equal(HttpStatusCode.BadRequest, (await hall.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminLogin(hall)).StatusCode);
    }

    [Theory]
    [InlineData("RateLimiting:ResidentLoginPerCodePerMinute")]
    [InlineData("RateLimiting:ResidentLoginPerOpenIdPerMinute")]
    public async Task One_login_code_or_one_openid_tried_again_and_again_is_refused(string limit)
    {
        // The sandbox signs code dev-x in as openid dev-x, so each limit is tested on an app where only it is tight.
        await using var app = AppWith((limit, "2"));
        var client = From(app, "198.51.100.78");
        var sameCode = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            sameCode.Add((await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-replayed" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], sameCode);
        // Another person from the same address is not affected.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-other" })).StatusCode);
    }

    [Fact]
    public async Task A_name_guessed_at_from_many_addresses_signs_in_only_from_addresses_it_used_lately()
    {
        await using var app = AppWith(("RateLimiting:AdminLoginFailuresPerAccountPerMinute", "3"));
        _ = app.Server;
        await TestOrg.SeedAsync(app);
        const string office = "198.51.100.10";
        Task<HttpResponseMessage> Login(string peer, string password) =>
            From(app, peer).PostAsJsonAsync("/api/v1/admin/auth/login", new { userName = "adminA", password });

        Assert.Equal(HttpStatusCode.OK, (await Login(office, TestOrg.Password)).StatusCode); // the office is known

        var attack = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            attack.Add((await Login($"203.0.113.{i + 1}", "wrong-password")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], attack);
        // Even the right password from an address the name never used waits for the minute to pass...
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Login("203.0.113.99", TestOrg.Password)).StatusCode);
        // ...while the admin at the office signs in as usual: the attack is no denial of service.
        Assert.Equal(HttpStatusCode.OK, (await Login(office, TestOrg.Password)).StatusCode);
        // An unknown name under the same attack answers the same way, so names cannot be told apart.
        for (var i = 0; i < 3; i++)
        {
            await From(app, $"203.0.113.{i + 1}").PostAsJsonAsync("/api/v1/admin/auth/login", new { userName = "nobody-here", password = "x" });
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await From(app, "203.0.113.50").PostAsJsonAsync("/api/v1/admin/auth/login", new { userName = "nobody-here", password = "x" })).StatusCode);
    }
}
